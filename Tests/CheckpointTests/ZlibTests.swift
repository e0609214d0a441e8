import Foundation
import Testing
@testable import Checkpoint

/// Checkpoint's zlib wrapper: gzip files (multi-member), size bounds, corrupt and truncated input.
@Suite struct ZlibTests {
    let hello: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 231, 2, 0, 32, 48, 58, 54, 6, 0, 0, 0]

    func write(_ bytes: [UInt8], _ folder: String, _ name: String) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func gunzipReadsEveryMemberAndEnforcesItsBound() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let one = try write(hello, folder, "one.gz")
        #expect(try Zlib.gunzip(one, limit: 100) == Array("hello\n".utf8))
        let two = try write(hello + hello, folder, "two.gz")
        #expect(try Zlib.gunzip(two, limit: 100) == Array("hello\nhello\n".utf8))
        #expect(checkpointError { _ = try Zlib.gunzip(two, limit: 8) }?.message.contains("bound of 8 bytes") == true)
        let cut = try write(Array(hello.prefix(14)), folder, "cut.gz")
        #expect(checkpointError { _ = try Zlib.gunzip(cut, limit: 100) }?.kind == .compression)
        var flipped = hello
        flipped[12] ^= 0xFF
        let corrupt = try write(flipped, folder, "corrupt.gz")
        #expect(checkpointError { _ = try Zlib.gunzip(corrupt, limit: 100) }?.kind == .compression)
        let text = try write(Array("not gzip at all, just text".utf8), folder, "text.gz")
        #expect(checkpointError { _ = try Zlib.gunzip(text, limit: 100) }?.message.contains("not a gzip file") == true)
        #expect(checkpointError { _ = try Zlib.gunzip(folder + "/missing.gz", limit: 100) }?.kind == .notFound)
    }

    /// A raw deflate stream of 100,000 zero bytes (114 compressed bytes) inflates only up to the
    /// declared size: declaring less is an error after at most that many bytes.
    @Test func inflateStopsAtTheDeclaredSize() throws {
        var stream: [UInt8] = [237, 193, 49, 1, 0, 0, 0, 194, 160, 245, 79, 109, 13, 15, 160]
        stream += [UInt8](repeating: 0, count: 96) + [128, 87, 3]
        func inflate(_ expected: Int) throws -> Int {
            var produced = 0
            try Zlib.inflateRaw(file: "f", what: "entry", compressedSize: stream.count, expectedSize: expected,
                                input: { offset, buffer in
                                    buffer.copyBytes(from: stream[offset..<(offset + buffer.count)]) },
                                output: { produced += $0.count })
            return produced
        }
        #expect(try inflate(100_000) == 100_000)
        #expect(checkpointError { _ = try inflate(1000) }?.message.contains("more than its bound of 1000") == true)
        #expect(checkpointError { _ = try inflate(200_000) }?.message.contains("not its declared 200000") == true)
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
