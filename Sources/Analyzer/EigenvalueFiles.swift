import Checkpoint
import Foundation

/// Per-layer eigenvalue files: `htsr analyze --save-eigenvalues DIR` writes them and
/// `htsr plot --eigenvalues DIR` reads them back.
public enum EigenvalueFiles {
    /// `<id>_<name>` with the id zero-padded to 3 digits and characters outside
    /// `[A-Za-z0-9._-]` replaced by `_` (e.g. `003_encoder.layer.0.attention.self.query.weight`).
    public static func stem(id: Int, name: String) -> String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        return String(format: "%03d_", id) + safe
    }

    /// `<stem>.npy`.
    public static func fileName(id: Int, name: String) -> String { stem(id: id, name: name) + ".npy" }

    /// Reads a 1-D little-endian float64 `.npy` file (versions 1.0–3.0), as `NpyWriter` writes it.
    ///
    /// - Throws: `OutputError` naming the file when it is missing, not `.npy`, or not a 1-D
    ///   `<f8` C-order array of the size its header states.
    public static func read(_ path: String) throws -> [Double] {
        func fail(_ problem: String) -> OutputError { OutputError(file: path, problem: problem) }
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: 1 << 32) } catch let e as CheckpointError { throw fail(e.message) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated .npy header") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default: throw fail(".npy version \(major) is not supported")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let compact = header.replacingOccurrences(of: " ", with: "")
        guard compact.contains("'descr':'<f8'") else { throw fail("expected little-endian float64 ('<f8') data") }
        guard compact.contains("'fortran_order':False") else { throw fail("Fortran-order arrays are not supported") }
        guard let open = compact.range(of: "'shape':("), let close = compact[open.upperBound...].firstIndex(of: ")") else {
            throw fail("the header has no shape")
        }
        let dims = compact[open.upperBound..<close].split(separator: ",").map { Int($0) }
        guard dims.count == 1, let n = dims[0], n >= 0 else { throw fail("expected a 1-D array") }
        let start = headerStart + headerLength
        guard (bytes.count - start) % 8 == 0, n == (bytes.count - start) / 8 else {
            throw fail("holds \(bytes.count - start) data bytes; the header says \(n) float64 values")
        }
        var values = [Double](repeating: 0, count: n)
        values.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + n * 8)])) }
        }
        return values.map { Double(bitPattern: $0.bitPattern.littleEndian) }
    }
}
