import Foundation

/// Positional reads from one file through a single descriptor, opened on first use.
///
/// `pread` does not move a shared file offset, so once the descriptor is open any number of
/// threads may read concurrently; only the lazy open is serialised. The descriptor is closed
/// when the reader is deallocated.
final class FileReader: @unchecked Sendable {  // fd set once under `lock`; pread is thread-safe
    let path: String
    private let lock = NSLock()
    private var fd: Int32 = -1

    init(path: String) { self.path = path }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The open descriptor, opening the file on first call.
    /// - Throws: `InputFile.open`'s errors (a missing path, one that is not a regular file).
    private func descriptor() throws -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { return fd }
        fd = try InputFile.open(path)
        return fd
    }

    /// Fills `buffer` with the bytes at `offset ..< offset + buffer.count`.
    ///
    /// Retries short reads and `EINTR`.
    /// - Throws: `CheckpointError(.truncated)` if the file ends first, `.io` on a read error.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        let fd = try descriptor()
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(.io, file: path, message: "read of \(buffer.count) bytes at offset \(offset) failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                throw CheckpointError(.truncated, file: path, message: "file ends at byte \(offset + done), expected data up to byte \(offset + buffer.count)")
            }
            done += n
        }
    }

    /// The bytes at `offset ..< offset + count`.
    func read(count: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            try bytes.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        }
        return bytes
    }

    /// The file's size in bytes.
    /// - Throws: `CheckpointError(.io)` if `fstat` fails.
    func size() throws -> Int {
        let fd = try descriptor()
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw CheckpointError(.io, file: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        return Int(st.st_size)
    }
}
