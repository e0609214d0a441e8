/// The on-disk format a `Checkpoint` was read from.
public enum CheckpointFormat: String, Sendable, Codable {
    /// One `.safetensors` file.
    case safetensors
    /// Several `.safetensors` files: through a `*.safetensors.index.json`, or every file of a folder.
    case safetensorsSharded = "safetensors-sharded"
    /// A Keras 2 `save_weights` HDF5 file (root attribute `layer_names`).
    case keras2 = "keras2-h5"
    /// A Keras 2 `model.save` HDF5 file (weights under `model_weights/`, optimizer state skipped).
    case keras2FullModel = "keras2-full-model"
    /// A Keras 3 `.weights.h5` file (`layers/<name>/vars/<k>`).
    case keras3 = "keras3-weights"
    /// Any other HDF5 file: every numeric dataset is a tensor.
    case hdf5
    /// A PyTorch zip checkpoint (`torch.save` since 1.6: `.bin`, `.pt`, `.pth`).
    case pytorch
    /// Several PyTorch checkpoints: through a `pytorch_model.bin.index.json`, or every file of a folder.
    case pytorchSharded = "pytorch-sharded"
    /// A Keras 3 `.keras` archive (its `model.weights.h5`, layers named from its `config.json`).
    case kerasArchive = "keras3-archive"
    /// A GGUF file (llama.cpp), quantized tensors dequantized.
    case gguf
}
