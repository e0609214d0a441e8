import Foundation

/// Opening the files htsr reads — checkpoints, shards, indexes, HDF5 and PDE data files,
/// tokenizer and text data files, analysis JSON, eigenvalue files — the one way: only a
/// regular file is read.
///
/// A FIFO, a socket, a terminal or a device at an input path would make a plain `open` or
/// `read` wait forever (a FIFO without a writer) or never end (`/dev/zero`). The file is opened
/// with `O_NONBLOCK` (so opening a FIFO or a device returns at once) and `O_NOCTTY`, then the
/// *descriptor* is checked with `fstat` — the file checked is the file read, whatever happens
/// to the path in between. Symbolic links are followed (a link to a regular file is fine).
public enum InputFile {
    /// Opens `path` read-only; the caller closes the descriptor.
    ///
    /// - Throws: `CheckpointError`: `.notFound` for a missing path, `.notAFile` for a folder,
    ///   FIFO, socket or device (the message names which), `.io` if it cannot be opened.
    public static func open(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw CheckpointError(.notFound, file: path, message: "no such file")
            }
            throw CheckpointError(.io, file: path, message: "cannot open for reading: \(String(cString: strerror(code)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw CheckpointError(.io, file: path, message: "cannot stat: \(String(cString: strerror(code)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw CheckpointError(.notAFile, file: path, message: "is \(describe(st.st_mode)), not a regular file")
        }
        // Reads of a regular file never block; clear the flag anyway so that the descriptor
        // behaves as an ordinary one for whoever uses it next.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// The whole content of the regular file at `path`, at most `limit` bytes.
    ///
    /// - Throws: the errors of `open`; `.tooLarge` if the file holds (or grows to) more than
    ///   `limit` bytes — checked before anything is allocated; `.io` on a read error.
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw CheckpointError(.io, file: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int(st.st_size)
        guard size <= limit else { throw tooLarge(path, size: size, limit: limit) }
        // One byte more than the file's size, to notice a file that grew since fstat.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var done = 0
        while true {
            if done == bytes.count {
                guard bytes.count <= limit else { throw tooLarge(path, size: bytes.count, limit: limit) }
                bytes.append(contentsOf: repeatElement(0, count: min(max(bytes.count, 4096), limit + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(.io, file: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        bytes.removeSubrange(done...)
        return bytes
    }

    /// What kind of file a `st_mode` describes, for messages ("a FIFO", "a folder", …).
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    private static func tooLarge(_ path: String, size: Int, limit: Int) -> CheckpointError {
        CheckpointError(.tooLarge, file: path, message: "file of \(size) bytes exceeds the limit of \(limit) bytes")
    }
}
