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
///
/// Hugging Face's base-model prefix: a task model's checkpoint names its encoder
/// `bert.encoder.layer.0…` (`roberta.…`, `model.…`) where the base model's own checkpoint says
/// `encoder.layer.0…`, or the reverse. A tensor without a counterpart of its exact name is paired
/// with the base's tensor named without its first component, or with one more first component
/// (the prefixes the base uses), when that tensor has the same shape.
public struct DeltaSource: TensorSource {
    public let model: TensorSource
    public let base: TensorSource
    /// The base's tensor for each model tensor that has one, by the model tensor's name.
    private let counterparts: [String: TensorDescriptor]
    public let comparison: ComparisonInfo?

    public init(model: TensorSource, base: TensorSource) throws {
        self.model = model
        self.base = base
        var byName: [String: TensorDescriptor] = [:]
        for d in base.descriptors where byName[d.name] == nil { byName[d.name] = d }
        let basePrefixes = Set(byName.keys.compactMap { n in n.firstIndex(of: ".").map { String(n[...$0]) } })
        var counterparts: [String: TensorDescriptor] = [:]
        var modelOnly: [String] = []
        var matchedBase = Set<String>()
        for d in model.descriptors {
            if let b = byName[d.name] {
                if b.shape != d.shape {
                    if Self.isMatrix(d) {
                        throw AnalysisError.baseShapeMismatch(base: base.label, layer: d.name, modelShape: d.shape, baseShape: b.shape)
                    }
                } else {
                    counterparts[d.name] = b
                }
            } else if let b = Self.prefixCounterpart(d, byName: byName, basePrefixes: basePrefixes) {
                counterparts[d.name] = b
            }
            if Self.isMatrix(d) {
                if let b = counterparts[d.name] { matchedBase.insert(b.name) } else { modelOnly.append(d.name) }
            }
        }
        self.counterparts = counterparts
        let baseOnly = base.descriptors.filter { Self.isMatrix($0) && !matchedBase.contains($0.name) }.map(\.name)
        comparison = ComparisonInfo(mode: .delta, base: base.label, adapterConfig: nil, modules: nil,
                                    modelOnly: modelOnly, baseOnly: baseOnly)
    }

    static func isMatrix(_ d: TensorDescriptor) -> Bool { d.isFloatingPoint && d.shape.count >= 2 }

    /// The base's tensor named like `d` without its first component (`bert.encoder…` → `encoder…`),
    /// else with one of the base's first components before it, if it has `d`'s shape.
    static func prefixCounterpart(_ d: TensorDescriptor, byName: [String: TensorDescriptor], basePrefixes: Set<String>) -> TensorDescriptor? {
        var candidates: [String] = []
        if let dot = d.name.firstIndex(of: ".") { candidates.append(String(d.name[d.name.index(after: dot)...])) }
        candidates += basePrefixes.sorted().map { $0 + d.name }
        return candidates.lazy.compactMap { byName[$0] }.first { $0.shape == d.shape }
    }

    public var label: String { model.label }
    public var formatName: String { model.formatName }
    public var descriptors: [TensorDescriptor] { model.descriptors }
    public func forwardOrder() throws -> LayerOrder { try model.forwardOrder() }

    public func skipReason(for descriptor: TensorDescriptor) -> SkipReason? {
        counterparts[descriptor.name] == nil ? .notInBase : nil
    }

    /// `W − W_base`, elementwise in double precision.
    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] {
        guard let b = counterparts[descriptor.name] else {
            throw AnalysisError.missingBaseTensor(base: base.label, layer: descriptor.name)
        }
        var w = try model.readDoubles(descriptor)
        let wb = try base.readDoubles(b)
        precondition(w.count == wb.count, "shapes were checked at construction")
        for i in w.indices { w[i] -= wb[i] }
        return w
    }
}
