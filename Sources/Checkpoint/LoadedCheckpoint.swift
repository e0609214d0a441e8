/// Where the bytes of one tensor are.
enum TensorSource {
    /// Little-endian elements of `TensorInfo.dtype` at absolute byte `offset` of the reader's file.
    case safetensors(reader: FileReader, offset: Int)
    /// The dataset at `dataset` (full HDF5 path, leading `/` included) of an open HDF5 file.
    case hdf5(file: HDF5File, dataset: String)
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
