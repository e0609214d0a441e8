import Checkpoint
import Spectrum

/// A tensor as the analyzer sees it: a name, a shape, and how to interpret it.
public struct TensorDescriptor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// The stored element type, e.g. "F32" (for the skipped-tensor list).
    public var dtype: String
    public var isFloatingPoint: Bool
    public var layout: KernelLayout
    /// The tensor has rank at most this (e.g. a LoRA product B·A of rank r): only the largest
    /// `componentLimit` eigenvalues are kept, the others being zero up to rounding.
    public var componentLimit: Int?
    /// The stored quantization, when the values are decoded from one (a GGUF type such as
    /// `Q4_K`, or a quantized-safetensors scheme); reported per layer.
    public var quantization: String?

    public init(name: String, shape: [Int], dtype: String, isFloatingPoint: Bool, layout: KernelLayout = .pytorch,
                componentLimit: Int? = nil) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.isFloatingPoint = isFloatingPoint
        self.layout = layout
        self.componentLimit = componentLimit
    }
}

/// Where the analyzer gets tensors: a checkpoint on disk, or weights in memory (the trainer).
public protocol TensorSource: Sendable {
    /// A path or label for messages and the report.
    var label: String { get }
    /// The format, e.g. "safetensors".
    var formatName: String { get }
    /// The tensors in checkpoint order.
    var descriptors: [TensorDescriptor] { get }
    /// Reads one tensor, row-major in its shape; may be called from several threads at once.
    func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double]
    /// Streams one tensor in row-major blocks of at most `elementsPerBlock` elements.
    func forEachBlock(_ descriptor: TensorDescriptor, elementsPerBlock: Int,
                      _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws
    /// A reason of the source's own not to analyse a tensor (e.g. no match in a base model).
    func skipReason(for descriptor: TensorDescriptor) -> SkipReason?
    /// What the source compares (`--base`, LoRA), for the report; nil for a plain checkpoint.
    var comparison: ComparisonInfo? { get }
    /// The model's forward order (`LayerOrder`): what `layer_id`, depth figures and the policy use.
    /// - Throws: when the file that defines it (`config.json`) is malformed.
    func forwardOrder() throws -> LayerOrder
    /// What the file says about the model (GGUF: architecture, block count, context length).
    var model: ModelInfo? { get }
}

/// What a checkpoint's own metadata says about the model, for the report's source section.
public struct ModelInfo: Sendable, Equatable, Codable {
    public var architecture: String?
    public var blockCount: Int?
    public var contextLength: Int?

    public init(architecture: String?, blockCount: Int?, contextLength: Int?) {
        self.architecture = architecture
        self.blockCount = blockCount
        self.contextLength = contextLength
    }

    enum CodingKeys: String, CodingKey { case architecture, blockCount = "block_count", contextLength = "context_length" }
}

extension TensorSource {
    public func skipReason(for descriptor: TensorDescriptor) -> SkipReason? { nil }
    public var comparison: ComparisonInfo? { nil }
    public func forwardOrder() throws -> LayerOrder { .natural() }
    public var model: ModelInfo? { nil }

    /// Reads the whole tensor and hands it over in blocks (for sources without streaming).
    public func forEachBlock(_ descriptor: TensorDescriptor, elementsPerBlock: Int,
                             _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        try readDoubles(descriptor).withUnsafeBufferPointer { try $0.forEachBlock(of: elementsPerBlock, body) }
    }
}

/// Tensors held in memory, e.g. a model's current weights during training.
public struct InMemorySource: TensorSource {
    public let label: String
    public var formatName: String { "memory" }
    public let descriptors: [TensorDescriptor]
    private let data: [String: [Double]]

    /// - Parameter tensors: name, shape and row-major values, in layer order.
    public init(label: String = "memory", tensors: [(name: String, shape: [Int], values: [Double])]) {
        self.label = label
        descriptors = tensors.map { TensorDescriptor(name: $0.name, shape: $0.shape, dtype: "F64", isFloatingPoint: true) }
        var d: [String: [Double]] = [:]
        for t in tensors {
            precondition(t.values.count == t.shape.reduce(1, *), "values of \(t.name) do not match its shape")
            d[t.name] = t.values
        }
        data = d
    }

    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] { data[descriptor.name]! }

    /// The tensors' given order (a model's own layer order).
    public func forwardOrder() throws -> LayerOrder { .native(descriptors.map(\.name), note: "the order given") }
}
