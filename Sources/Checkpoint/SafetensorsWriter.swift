import Foundation

/// Writes safetensors files.
public enum SafetensorsWriter {
    /// Writes a safetensors file atomically (temporary file in the same folder, then rename). Header keys
    /// in the given order, 8-byte-aligned header padded with spaces as the reference does. Throws
    /// CheckpointError(.shapeMismatch) if bytes.count != product(shape)·byteSize, .duplicateTensor, .io.
    ///
    /// Data follow in the given order, so reading the file back lists the tensors in that order.
    /// `__metadata__` is written first, keys sorted, and only when `metadata` is not empty.
    /// Everything is validated before any file is created; on any failure no file is left at
    /// `path` (an existing file there stays untouched) and the temporary file is removed.
    /// Also throws `.shapeMismatch` for a negative dimension or an overflowing shape, and
    /// `.invalidHeader` for a tensor named `__metadata__`.
    public static func write(_ tensors: [WritableTensor], metadata: [String: String], to path: String) throws {
        let header = try headerBytes(tensors, metadata: metadata, path: path)
        let folder = PathUtil.directory(of: path)
        let temp = PathUtil.join(folder, ".\(PathUtil.fileName(path)).\(getpid()).\(UUID().uuidString).tmp")
        let slot = TemporaryFiles.register(temp)  // removed on an interrupt too
        defer { TemporaryFiles.unregister(slot) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CheckpointError(.io, file: path, message: "cannot create temporary file in \(folder): \(String(cString: strerror(errno)))")
        }
        do {
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try writeAll(fd, $0, path: path) }
            try header.withUnsafeBytes { try writeAll(fd, $0, path: path) }
            for t in tensors { try t.bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) } }
            guard fsync(fd) == 0 else {
                throw CheckpointError(.io, file: path, message: "fsync failed: \(String(cString: strerror(errno)))")
            }
            guard close(fd) == 0 else {
                throw CheckpointError(.io, file: path, message: "close failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw CheckpointError(.io, file: path, message: "cannot move the written file into place: \(reason)")
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes, after validating `tensors`.
    static func headerBytes(_ tensors: [WritableTensor], metadata: [String: String], path: String) throws -> [UInt8] {
        var seen = Set<String>()
        var members: [JSONMember] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSONMember(key: $0, value: .string(metadata[$0]!)) }
            members.append(JSONMember(key: "__metadata__", value: .object(pairs)))
        }
        var offset = 0
        for t in tensors {
            guard t.name != "__metadata__" else {
                throw CheckpointError(.invalidHeader, file: path, message: "tensor name '__metadata__' is reserved")
            }
            guard seen.insert(t.name).inserted else {
                throw CheckpointError(.duplicateTensor, file: path, message: "tensor '\(t.name)' is given more than once")
            }
            var count = 1
            for d in t.shape {
                guard d >= 0 else {
                    throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(t.name)' has a negative dimension in shape \(t.shape)")
                }
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else {
                    throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(t.name)' shape \(t.shape) overflows")
                }
                count = p
            }
            let (expected, overflow) = count.multipliedReportingOverflow(by: t.dtype.byteSize)
            guard !overflow, expected == t.bytes.count else {
                throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(t.name)': shape \(t.shape) of \(t.dtype.rawValue) needs \(overflow ? "too many" : String(expected)) bytes, got \(t.bytes.count)")
            }
            members.append(JSONMember(key: t.name, value: .members([
                "dtype": .string(t.dtype.rawValue), "shape": .array(t.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + expected)]),
            ])))
            offset += expected
        }
        var bytes = Array(JSONValue.object(members).text().utf8)
        bytes += [UInt8](repeating: 0x20, count: (8 - bytes.count % 8) % 8)
        return bytes
    }


    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = Foundation.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(.io, file: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
