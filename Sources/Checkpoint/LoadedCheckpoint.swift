/// Where the bytes of one tensor are.
enum TensorSource {
    /// Little-endian elements of `TensorInfo.dtype` at absolute byte `offset` of the reader's
    /// file (safetensors, and contiguous tensors of stored PyTorch archive entries).
    case contiguous(reader: FileReader, offset: Int)
    /// A strided view of a PyTorch storage, or a view of a deflated archive entry.
    case strided(StridedTensor)
    /// ggml blocks in a memory-mapped GGUF file, dequantized on read.
    case gguf(GGUFTensor)
    /// The dataset at `dataset` (full HDF5 path, leading `/` included) of an open HDF5 file.
    case hdf5(file: HDF5File, dataset: String)
}

/// Everything `Checkpoint` needs, as produced by one of the format loaders.
struct LoadedCheckpoint {
    let format: CheckpointFormat
    /// Tensors in checkpoint order, each with its source.
    let tensors: [(info: TensorInfo, source: TensorSource)]
    let metadata: [String: String]
}
