import Checkpoint
import Spectrum

/// A checkpoint on disk as a tensor source for the analyzer.
extension Checkpoint: TensorSource {
    public var label: String { path }
    public var formatName: String { format.rawValue }

    public var descriptors: [TensorDescriptor] {
        tensors.map { t in
            TensorDescriptor(name: t.name, shape: t.shape, dtype: t.dtype.rawValue,
                             isFloatingPoint: t.dtype.isFloatingPoint,
                             layout: t.layout == .keras ? .keras : .pytorch)
        }
    }

    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] {
        try readDoubles(info(descriptor))
    }

    public func readFloats(_ descriptor: TensorDescriptor) throws -> [Float]? {
        let info = try info(descriptor)
        switch info.dtype {
        case .F32, .F16, .BF16, .F8_E4M3, .F8_E5M2: return try readFloats(info)
        default: return nil
        }
    }

    public func forEachBlock(_ descriptor: TensorDescriptor, elementsPerBlock: Int,
                             _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        try forEachBlock(info(descriptor), elementsPerBlock: elementsPerBlock, body)
    }

    private func info(_ descriptor: TensorDescriptor) throws -> TensorInfo {
        guard let info = tensor(named: descriptor.name) else {
            throw CheckpointError(.notFound, file: path, message: "no tensor named '\(descriptor.name)'")
        }
        return info
    }
}
