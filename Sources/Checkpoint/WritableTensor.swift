/// A tensor to write.
public struct WritableTensor: Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Little-endian element bytes, row-major.
    public let bytes: [UInt8]

    /// Wraps raw bytes; validates nothing (`SafetensorsWriter.write` does).
    public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An `F32` tensor, stored little-endian.
    public init(name: String, shape: [Int], floats: [Float]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .F32, shape: shape, bytes: bytes)
    }

    /// An `F64` tensor, stored little-endian.
    public init(name: String, shape: [Int], doubles: [Double]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(doubles.count * 8)
        for d in doubles { withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .F64, shape: shape, bytes: bytes)
    }
}
