import Checkpoint
import Foundation

/// Writes 1-D float64 arrays in NumPy's `.npy` format (version 1.0), readable with `numpy.load`.
public enum NpyWriter {
    /// The bytes of a `.npy` file holding `values` as little-endian float64.
    ///
    /// Layout: magic `\x93NUMPY`, version 1.0, a little-endian u16 header length, an ASCII
    /// dict header padded with spaces and a newline to a multiple of 64 bytes, then the data.
    public static func data(_ values: [Double]) -> Data {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(values.count),), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        d.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { d.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 8)) }
        return d
    }
}
