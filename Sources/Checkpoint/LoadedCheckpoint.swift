/// Where the bytes of one tensor are.
indirect enum TensorSource {
    /// Little-endian elements of `TensorInfo.dtype` at absolute byte `offset` of the reader's
    /// file (safetensors, and contiguous tensors of stored PyTorch archive entries).
    case contiguous(reader: FileReader, offset: Int)
    /// A strided view of a PyTorch storage, or a view of a deflated archive entry.
    case strided(StridedTensor)
    /// ggml blocks of a GGUF file, read with `pread` and dequantized.
    case gguf(GGUFTensor)
    /// The dataset at `dataset` (full HDF5 path, leading `/` included) of an open HDF5 file,
    /// read in this process or in a worker (`HDF5Isolation`).
    case hdf5(file: any HDF5Reader, dataset: String)
    /// Integers and scales of a quantized weight, combined on read.
    case quantized(QuantizedTensor)

    /// The whole tensor `info` as Doubles, row-major.
    /// - Throws: `CheckpointError(.unsupported)` for a tensor marked unreadable, and read errors.
    func doubles(_ info: TensorInfo) throws -> [Double] {
        if let why = info.unreadable {
            throw CheckpointError(.unsupported, file: info.file, message: "tensor '\(info.name)': \(why)")
        }
        switch self {
        case .contiguous(let reader, let offset):
            return try TensorReader.read(reader, offset: offset, dtype: info.dtype, count: info.elementCount, as: Double.self)
        case .hdf5(let file, let dataset):
            return try file.read(dataset, count: info.elementCount, as: Double.self)
        case .strided(let tensor):
            return try tensor.readDoubles()
        case .gguf(let tensor):
            return try tensor.readDoubles()
        case .quantized(let tensor):
            return try tensor.readDoubles()
        }
    }
}

/// Everything `Checkpoint` needs, as produced by one of the format loaders.
struct LoadedCheckpoint {
    let format: CheckpointFormat
    /// Tensors in checkpoint order, each with its source.
    let tensors: [(info: TensorInfo, source: TensorSource)]
    let metadata: [String: String]
    /// The model's forward order when the format records it (`LayerOrder.native`), else nil:
    /// the reader of a format whose tensor order is the model's supplies it.
    var nativeOrder: LayerOrder? = nil
}
