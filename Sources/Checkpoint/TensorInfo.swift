/// How kernels are laid out: PyTorch Linear (out,in), Conv2d (out,in,kh,kw), Conv1d (out,in,k);
/// Keras Dense (in,out), Conv2D (kh,kw,in,out), Conv1D (k,in,out).
///
/// safetensors and generic HDF5 files are `.pytorch`; Keras 2 and Keras 3 HDF5 files are `.keras`.
public enum TensorLayout: String, Sendable, Codable {
    case pytorch, keras
}

/// One tensor of a checkpoint: where it lives and what it looks like, without its values.
///
/// Names are unique within a checkpoint. For safetensors the name is the header key; for HDF5
/// it is the dataset path without the leading `/` (and without `model_weights/` for Keras 2
/// full-model files), e.g. `dense_1/dense_1/kernel:0` or `layers/dense/vars/0`.
public struct TensorInfo: Sendable, Hashable {
    /// safetensors key, or HDF5 dataset path (see the type's documentation).
    public let name: String
    /// Stored element type; for HDF5 the closest `DType` of the stored type.
    public let dtype: DType
    /// Dimensions, outermost first; `[]` is a scalar (one element).
    public let shape: [Int]
    /// Path of the file that holds the tensor (shards of one checkpoint differ).
    public let file: String
    /// How the framework that wrote the file lays out kernels.
    public let layout: TensorLayout
    /// How the values are stored when that is more than `dtype` — a GGUF block type (`Q4_K`,
    /// `Q8_0`) or a quantization scheme of a safetensors checkpoint (`int8-per-channel`) —
    /// read as the values it stands for (`dtype` is then the type they are exact in); nil for
    /// plain tensors.
    public var quantization: String?
    /// Why the tensor cannot be read (a GGUF type without a dequantizer here); nil if it can.
    public var unreadable: String?

    /// Creates a description; `Checkpoint.open` is the usual source. Nothing is validated.
    public init(name: String, dtype: DType, shape: [Int], file: String, layout: TensorLayout) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.file = file
        self.layout = layout
    }

    /// Number of elements: the product of `shape` (1 for a scalar, 0 if any dimension is 0).
    public var elementCount: Int { shape.reduce(1, *) }
}
