import Foundation
internal import CZlib

/// zlib behind one wrapper (the only importer of `CZlib`): raw-deflate streams of ZIP entries,
/// gzip files (the training data sets), and CRC-32.
///
/// Every inflation has a size bound fixed before any output is produced: a stream that would
/// inflate past it is an error after at most `bound` bytes, so a zip or gzip bomb costs no
/// more memory (or disk) than the caller allowed.
public enum Zlib {
    /// Deflate's largest expansion: a compressed byte yields at most 1032 bytes (RFC 1951: a
    /// 258-byte match costs at least 2 bits), plus a little for the stream's end.
    public static let maximumRatio = 1032

    /// CRC-32 (IEEE 802.3, as ZIP and gzip use) of `bytes`, continuing from `crc` (0 to start).
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = UInt(crc)
        var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var left = bytes.count
        while left > 0, let p = base {
            let n = min(left, 1 << 30)
            c = CZlib.crc32(c, p, uInt(n))
            base = p + n
            left -= n
        }
        return UInt32(truncatingIfNeeded: c)
    }

    /// CRC-32 of `bytes`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// Inflates one raw deflate stream (ZIP method 8) of `compressedSize` bytes, produced by
    /// `input(offset, buffer)` (which fills `buffer` with the compressed bytes at `offset`),
    /// handing the output to `output` in chunks. The stream must inflate to exactly
    /// `expectedSize` bytes.
    ///
    /// - Throws: `CheckpointError(.compression)` naming `file` and `what` if the stream is
    ///   corrupt, ends early, or would produce more or fewer than `expectedSize` bytes; what
    ///   `input` or `output` throw.
    static func inflateRaw(file: String, what: String, compressedSize: Int, expectedSize: Int,
                           input: (Int, UnsafeMutableRawBufferPointer) throws -> Void,
                           output: (UnsafeRawBufferPointer) throws -> Void) throws {
        let produced = try inflate(windowBits: -MAX_WBITS, multiMember: false, inputSize: compressedSize, limit: expectedSize,
                                   fail: { CheckpointError(.compression, file: file, message: "\(what): \($0)") },
                                   input: input, output: output)
        guard produced == expectedSize else {
            throw CheckpointError(.compression, file: file, message: "\(what): inflates to \(produced) bytes, not its declared \(expectedSize)")
        }
    }

    /// The decompressed content of the gzip file at `path` (every member of a multi-member
    /// file, in order), at most `limit` bytes.
    ///
    /// - Throws: `CheckpointError`: `.notFound` for a missing file, `.io` if it cannot be
    ///   read, `.compression` if it is not gzip, is corrupt or truncated, or inflates past `limit`.
    public static func gunzip(_ path: String, limit: Int) throws -> [UInt8] {
        guard PathUtil.kind(path) != .missing else { throw CheckpointError(.notFound, file: path, message: "no such file") }
        let reader = FileReader(path: path)
        let size = try reader.size()
        func fail(_ message: String) -> CheckpointError { CheckpointError(.compression, file: path, message: message) }
        guard size >= 18, try reader.read(count: 2, at: 0) == [0x1F, 0x8B] else {
            throw fail("not a gzip file (no 1f 8b signature)")
        }
        var out: [UInt8] = []
        _ = try inflate(windowBits: 16 + MAX_WBITS, multiMember: true, inputSize: size, limit: limit, fail: fail,
                        input: { offset, buffer in try reader.read(into: buffer, at: offset) },
                        output: { out.append(contentsOf: $0) })
        return out
    }

    /// The inflation loop: reads `inputSize` bytes through `input`, hands at most `limit`
    /// output bytes to `output`, and returns how many it produced. With `multiMember`, a
    /// stream end followed by more input starts a new member (concatenated gzip files).
    private static func inflate(windowBits: Int32, multiMember: Bool, inputSize: Int, limit: Int,
                                fail: (String) -> CheckpointError,
                                input: (Int, UnsafeMutableRawBufferPointer) throws -> Void,
                                output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("zlib cannot start inflating")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        let inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { inBuffer.deallocate() }
        let outBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { outBuffer.deallocate() }
        var consumed = 0, produced = 0
        while true {
            if stream.avail_in == 0 && consumed < inputSize {
                let n = min(chunk, inputSize - consumed)
                try input(consumed, UnsafeMutableRawBufferPointer(rebasing: inBuffer[0..<n]))
                consumed += n
                stream.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
            }
            stream.next_out = outBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(chunk)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let n = chunk - Int(stream.avail_out)
            guard produced + n <= limit else { throw fail("inflates to more than its bound of \(limit) bytes") }
            if n > 0 { try output(UnsafeRawBufferPointer(rebasing: outBuffer[0..<n])) }
            produced += n
            let inputLeft = stream.avail_in > 0 || consumed < inputSize
            switch status {
            case Z_STREAM_END:
                guard multiMember, inputLeft else { return produced }
                guard inflateReset(&stream) == Z_OK else { throw fail("zlib cannot restart inflating") }
            case Z_OK, Z_BUF_ERROR:
                if n == 0 && !inputLeft { throw fail("truncated compressed data (the input ends inside a deflate stream)") }
            default:
                throw fail("corrupt compressed data (zlib: \(stream.msg.map { String(cString: $0) } ?? "error \(status)"))")
            }
        }
    }
}
