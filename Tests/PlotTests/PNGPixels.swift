import Foundation
@testable import Checkpoint

/// The pixels of an 8-bit RGB or RGBA PNG (what pngcairo writes), for checks on rendered
/// figures: IDAT chunks inflated with Checkpoint's zlib wrapper, scanline filters undone.
struct PNGPixels {
    var width: Int
    var height: Int
    /// RGB per pixel, row-major from the top.
    var rgb: [UInt8]

    subscript(x: Int, y: Int) -> (Int, Int, Int) {
        let i = 3 * (y * width + x)
        return (Int(rgb[i]), Int(rgb[i + 1]), Int(rgb[i + 2]))
    }

    enum Failure: Error { case notPNG(String) }

    init(file: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        guard bytes.count > 33, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure.notPNG(file) }
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var at = 8, idat: [UInt8] = [], channels = 0
        width = 0; height = 0
        while at + 8 <= bytes.count {
            let length = u32(at), type = String(decoding: bytes[at + 4..<at + 8], as: UTF8.self)
            guard at + 12 + length <= bytes.count else { throw Failure.notPNG(file) }
            let body = bytes[at + 8..<at + 8 + length]
            switch type {
            case "IHDR":
                width = u32(at + 8); height = u32(at + 12)
                let depth = body[body.startIndex + 8], color = body[body.startIndex + 9], interlace = body[body.startIndex + 12]
                guard depth == 8, color == 2 || color == 6, interlace == 0 else { throw Failure.notPNG("\(file): colour type \(color), depth \(depth)") }
                channels = color == 2 ? 3 : 4
            case "IDAT": idat += body
            default: break
            }
            at += 12 + length
        }
        guard channels > 0, idat.count > 2 else { throw Failure.notPNG(file) }
        let stride = width * channels, expected = height * (stride + 1)
        var raw: [UInt8] = []
        raw.reserveCapacity(expected)
        let deflate = Array(idat.dropFirst(2))  // the zlib header; the raw deflate stream follows
        try Zlib.inflateRaw(file: file, what: "IDAT", compressedSize: deflate.count, expectedSize: expected,
                            input: { offset, buffer in buffer.copyBytes(from: deflate[offset..<offset + buffer.count]) },
                            output: { raw.append(contentsOf: $0) })
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for i in 0..<stride {
                let x = Int(raw[y * (stride + 1) + 1 + i])
                let a = i >= channels ? Int(pixels[y * stride + i - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
                let c = i >= channels && y > 0 ? Int(pixels[(y - 1) * stride + i - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                default:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                }
                pixels[y * stride + i] = UInt8((x + predicted) & 0xFF)
            }
        }
        rgb = []
        rgb.reserveCapacity(width * height * 3)
        for p in 0..<(width * height) { rgb += pixels[p * channels..<p * channels + 3] }
    }
}
