import Checkpoint
import Spectrum

/// A checkpoint on disk as a tensor source for the analyzer.
extension Checkpoint: TensorSource {
    public var label: String { path }
    public var formatName: String { format.rawValue }

    public var descriptors: [TensorDescriptor] {
        tensors.map { t in
            var d = TensorDescriptor(name: t.name, shape: t.shape, dtype: t.quantization ?? t.dtype.rawValue,
                                     isFloatingPoint: t.dtype.isFloatingPoint,
                                     layout: t.layout == .keras ? .keras : .pytorch)
            d.quantization = t.quantization
            return d
        }
    }

    /// Tensors stored in a type without a decoder (GGUF's IQ* …) are skipped, named by type;
    /// tensors without stored values (HDF5 datasets never written), with that reason.
    public func skipReason(for descriptor: TensorDescriptor) -> SkipReason? {
        guard let t = tensor(named: descriptor.name), let why = t.unreadable else { return nil }
        return t.quantization != nil ? .unsupportedType(t.quantization!) : .unreadable(why)
    }

    /// GGUF's `general.architecture`, `<arch>.block_count` and `<arch>.context_length`.
    public var model: ModelInfo? {
        guard let arch = metadata["general.architecture"] else { return nil }
        return ModelInfo(architecture: arch, blockCount: metadata[arch + ".block_count"].flatMap { Int($0) },
                         contextLength: metadata[arch + ".context_length"].flatMap { Int($0) })
    }

    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] {
        try readDoubles(info(descriptor))
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
