import CZlib
import Foundation

/// Reads a whole gzip-compressed file (zlib's `gzread`).
enum Gzip {
    /// The decompressed bytes of `path`; `TrainError.badData` naming the file on any failure.
    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainError.badData(file: path, problem: "no such file")
        }
        guard let f = gzopen(path, "rb") else { throw TrainError.badData(file: path, problem: "cannot open") }
        defer { gzclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw TrainError.badData(file: path, problem: "not a valid gzip file (or truncated)") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}
