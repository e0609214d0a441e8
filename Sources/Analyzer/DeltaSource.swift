import Checkpoint
import Spectrum

/// What an analysis compared: `--base` (W − W_base) or a LoRA adapter (B·A, or W + B·A).
public struct ComparisonInfo: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable {
        /// Each layer is `W − W_base`.
        case delta
        /// Each layer is a LoRA adapter's update `scale · B·A` alone.
        case loraProduct = "lora_BA"
        /// Each layer is `W_base + scale · B·A`.
        case loraMerged = "lora_W_plus_BA"
    }

    public var mode: Mode
    /// The base checkpoint, if any.
    public var base: String?
    /// LoRA: the `adapter_config.json` that gave the scales (nil: none found, scale 1).
    public var adapterConfig: String?
    /// LoRA: each adapted module, its rank and scale.
    public var modules: [LoRAModuleInfo]?
    /// Matrices of the model (or adapter) with no counterpart in the base: not analysed.
    public var modelOnly: [String]
    /// Matrices of the base with no counterpart in the model (or adapter): not analysed.
    public var baseOnly: [String]

    enum CodingKeys: String, CodingKey {
        case mode, base, adapterConfig = "adapter_config", modules, modelOnly = "model_only", baseOnly = "base_only"
    }
}

/// One adapted module of a LoRA adapter.
public struct LoRAModuleInfo: Sendable, Equatable, Codable {
    /// The module path, e.g. `encoder.layer.0.attention.self.query`.
    public var module: String
    /// The analysed row's name.
    public var layer: String
    public var rank: Int
    /// The factor applied to B·A (`lora_alpha / r`, or `/ √r` with rsLoRA; 1 without a config).
    public var scale: Double
}

/// `--base`: the model's layers minus the base's, matched by name (`W − W_base`).
///
/// Every matrix-shaped floating-point tensor present in both must have the same shape (else
/// `AnalysisError.baseShapeMismatch`); tensors of the model missing from the base are skipped
/// (`SkipReason.notInBase`) and listed, like the base's tensors missing from the model.
public struct DeltaSource: TensorSource {
    public let model: TensorSource
    public let base: TensorSource
    private let baseByName: [String: TensorDescriptor]
    public let comparison: ComparisonInfo?

    public init(model: TensorSource, base: TensorSource) throws {
        self.model = model
        self.base = base
        var byName: [String: TensorDescriptor] = [:]
        for d in base.descriptors where byName[d.name] == nil { byName[d.name] = d }
        baseByName = byName
        var modelOnly: [String] = []
        var modelNames = Set<String>()
        for d in model.descriptors where Self.isMatrix(d) {
            modelNames.insert(d.name)
            guard let b = byName[d.name] else { modelOnly.append(d.name); continue }
            if b.shape != d.shape {
                throw AnalysisError.baseShapeMismatch(base: base.label, layer: d.name, modelShape: d.shape, baseShape: b.shape)
            }
        }
        let baseOnly = base.descriptors.filter { Self.isMatrix($0) && !modelNames.contains($0.name) }.map(\.name)
        comparison = ComparisonInfo(mode: .delta, base: base.label, adapterConfig: nil, modules: nil,
                                    modelOnly: modelOnly, baseOnly: baseOnly)
    }

    static func isMatrix(_ d: TensorDescriptor) -> Bool { d.isFloatingPoint && d.shape.count >= 2 }

    public var label: String { model.label }
    public var formatName: String { model.formatName }
    public var descriptors: [TensorDescriptor] { model.descriptors }
    public func forwardOrder() throws -> LayerOrder { try model.forwardOrder() }

    public func skipReason(for descriptor: TensorDescriptor) -> SkipReason? {
        baseByName[descriptor.name] == nil ? .notInBase : nil
    }

    /// `W − W_base`, elementwise in double precision.
    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] {
        guard let b = baseByName[descriptor.name] else {
            throw AnalysisError.missingBaseTensor(base: base.label, layer: descriptor.name)
        }
        var w = try model.readDoubles(descriptor)
        let wb = try base.readDoubles(b)
        precondition(w.count == wb.count, "shapes were checked at construction")
        for i in w.indices { w[i] -= wb[i] }
        return w
    }
}
