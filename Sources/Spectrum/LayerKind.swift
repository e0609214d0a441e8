/// What kind of layer a weight tensor belongs to, which decides how it becomes matrices.
public enum LayerKind: String, Sendable, Codable, CaseIterable {
    /// A dense / linear weight: one matrix.
    case linear
    /// A token or position embedding table: one matrix (vocabulary × width).
    case embedding
    /// A 1-D convolution kernel: one matrix per kernel position.
    case conv1d
    /// A 2-D convolution kernel: one matrix per kernel position (kh·kw of them).
    case conv2d
}

/// How a tensor's elements are laid out, as the checkpoint format stores them.
public enum KernelLayout: String, Sendable, Codable {
    /// PyTorch: Linear (out, in), Conv1d (out, in, k), Conv2d (out, in, kh, kw).
    case pytorch
    /// Keras: Dense (in, out), Conv1D (k, in, out), Conv2D (kh, kw, in, out).
    case keras
}

/// Why a tensor is not analysed.
public enum SkipReason: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Integer or boolean data (ids, masks, counters).
    case notFloatingPoint
    /// Rank 0 or 1: biases, norms, scales.
    case vector
    /// Rank above 4 (e.g. 3-D convolutions), which has no matrix view here.
    case unsupportedRank(Int)
    /// Optimizer state (Adam moments, momentum buffers) stored beside the weights.
    case optimizerState
    /// An embedding, and embeddings were not selected.
    case embeddingExcluded
    /// A dimension is zero.
    case empty
    /// Not matched by the layer filter.
    case filteredOut
    /// Fewer eigenvalues than the minimum, or more than the maximum.
    case eigenvalueCount(count: Int, min: Int, max: Int)
    /// The larger dimension exceeds the maximum.
    case tooLarge(n: Int, max: Int)
    /// `--base`: the base checkpoint has no tensor of this name.
    case notInBase
    /// A LoRA adapter's tensor that is not part of an A/B pair (e.g. a saved bias or head).
    case notLoRAPair
    /// Stored in a type this reader cannot decode (e.g. GGUF's IQ2_XXS), named.
    case unsupportedType(String)
    /// The file holds no values for it (an HDF5 dataset never written: "no stored data").
    case unreadable(String)

    public var description: String {
        switch self {
        case .notFloatingPoint: return "not floating point"
        case .vector: return "rank < 2 (bias or norm)"
        case let .unsupportedRank(r): return "rank \(r) is not supported"
        case .optimizerState: return "optimizer state"
        case .embeddingExcluded: return "embedding (not selected)"
        case .empty: return "a dimension is zero"
        case .filteredOut: return "not matched by --layers"
        case let .eigenvalueCount(c, lo, hi): return "\(c) eigenvalues, outside [\(lo), \(hi)]"
        case let .tooLarge(n, m): return "N = \(n) exceeds --max-n \(m)"
        case .notInBase: return "no tensor of this name in the base"
        case .notLoRAPair: return "not a LoRA A/B pair"
        case let .unsupportedType(t): return "type \(t) is not supported"
        case let .unreadable(why): return why
        }
    }
}
