import Checkpoint
import Foundation
import Spectrum

/// The fields of a PEFT `adapter_config.json` (`LoraConfig`) that scale a LoRA update.
public struct LoRAConfig: Sendable, Equatable {
    /// The default rank r and `lora_alpha`.
    public var r: Int
    public var loraAlpha: Double
    /// rsLoRA: scale by `alpha / √r` instead of `alpha / r`.
    public var useRSLoRA: Bool
    /// The weight is stored (in, out) (GPT-2's Conv1D): the update is `(B·A)ᵀ`.
    public var fanInFanOut: Bool
    /// Per-module overrides: a key matches a module whose path is the key or ends in `.key`
    /// (PEFT's `get_pattern_key`: the regular expression `(.*\.)?(key)$`).
    public var rankPattern: [String: Int]
    public var alphaPattern: [String: Double]

    public init(r: Int, loraAlpha: Double, useRSLoRA: Bool = false, fanInFanOut: Bool = false,
                rankPattern: [String: Int] = [:], alphaPattern: [String: Double] = [:]) {
        self.r = r
        self.loraAlpha = loraAlpha
        self.useRSLoRA = useRSLoRA
        self.fanInFanOut = fanInFanOut
        self.rankPattern = rankPattern
        self.alphaPattern = alphaPattern
    }

    /// The JSON fields used (the config holds many more).
    private struct Raw: Decodable {
        var r: Double?
        var loraAlpha: Double?
        var useRSLoRA: Bool?
        var fanInFanOut: Bool?
        var rankPattern: [String: Double]?
        var alphaPattern: [String: Double]?
        enum CodingKeys: String, CodingKey {
            case r, loraAlpha = "lora_alpha", useRSLoRA = "use_rslora", fanInFanOut = "fan_in_fan_out"
            case rankPattern = "rank_pattern", alphaPattern = "alpha_pattern"
        }
    }

    /// Reads `adapter_config.json`.
    /// - Throws: `AnalysisError.invalidAdapter` naming the file: unreadable, not JSON, a field of
    ///   the wrong type, or without a positive integer `r` and a numeric `lora_alpha`.
    public static func load(_ path: String) throws -> LoRAConfig {
        func fail(_ problem: String) -> AnalysisError { .invalidAdapter(file: path, problem: problem) }
        let data: [UInt8]
        do { data = try InputFile.read(path, limit: 1 << 24) } catch let e as CheckpointError { throw fail(e.message) }
        let raw: Raw
        do {
            raw = try JSONValueDecoder().decode(Raw.self, from: try JSONParser.parse(data))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw fail("'\(field)' has the wrong type")
        } catch {
            throw fail("not a valid JSON object")
        }
        func isCount(_ x: Double) -> Bool { x > 0 && x == x.rounded() && x < 1e9 }
        guard let r = raw.r, isCount(r) else { throw fail("no positive integer 'r' (the LoRA rank)") }
        guard let alpha = raw.loraAlpha, alpha.isFinite else { throw fail("no numeric 'lora_alpha'") }
        var config = LoRAConfig(r: Int(r), loraAlpha: alpha, useRSLoRA: raw.useRSLoRA ?? false,
                                fanInFanOut: raw.fanInFanOut ?? false)
        for (k, v) in raw.rankPattern ?? [:] {
            guard isCount(v) else { throw fail("rank_pattern['\(k)'] is not a positive integer") }
            config.rankPattern[k] = Int(v)
        }
        config.alphaPattern = raw.alphaPattern ?? [:]
        for key in Array(config.rankPattern.keys) + Array(config.alphaPattern.keys) {
            do { _ = try NamePattern("(.*\\.)?(\(key))$") } catch { throw fail("pattern '\(key)' is not a supported regular expression") }
        }
        return config
    }

    /// A module's rank and `lora_alpha`.
    public struct ModuleSettings: Sendable, Equatable {
        public var rank: Int
        public var alpha: Double
    }

    /// The rank and `lora_alpha` of `module`, with the patterns applied (the first matching key
    /// in sorted order, so the choice does not depend on the JSON's key order).
    public func settings(module: String) -> ModuleSettings {
        func match<T>(_ pattern: [String: T]) -> T? {
            for key in pattern.keys.sorted() {
                if let p = try? NamePattern("(.*\\.)?(\(key))$"), p.matchesWhole(module) { return pattern[key] }
            }
            return nil
        }
        return ModuleSettings(rank: match(rankPattern) ?? r, alpha: match(alphaPattern) ?? loraAlpha)
    }

    /// PEFT's scaling: `lora_alpha / r`, or `lora_alpha / √r` with rsLoRA.
    public func scale(module: String) -> Double {
        let s = settings(module: module)
        return useRSLoRA ? s.alpha / Double(s.rank).squareRoot() : s.alpha / Double(s.rank)
    }
}

/// A LoRA/PEFT adapter as a tensor source: each adapted module becomes one matrix,
/// `scale · B·A` (without a base; its rank r limits the ESD to r eigenvalues, as WeightWatcher
/// does) or `W + scale · B·A` (with a base).
///
/// PEFT names the factors `base_model.model.<module>.lora_A.weight` (r × in) and
/// `….lora_B.weight` (out × r), optionally with an adapter name before `.weight`. The base
/// layer is `<module>.weight`, or the only base tensor whose name ends with `.<module>.weight`,
/// or whose name `<module>.weight` ends with (a prefix such as `bert.` on either side).
/// WeightWatcher 0.7.7 ignores `lora_alpha`; htsr applies PEFT's scale when
/// `adapter_config.json` lies beside the adapter (scale 1 otherwise).
public final class LoRASource: TensorSource, Sendable {
    struct Module {
        let module: String
        let a: TensorDescriptor
        let b: TensorDescriptor
        let base: TensorDescriptor?
        let rank: Int
        let scale: Double
        let descriptor: TensorDescriptor
    }

    public let adapter: TensorSource
    public let base: TensorSource?
    public let config: LoRAConfig?
    private let modules: [Module]
    private let byName: [String: Module]
    private let others: [TensorDescriptor]
    public let comparison: ComparisonInfo?

    /// Whether `source` holds LoRA factors.
    public static func isAdapter(_ source: TensorSource) -> Bool {
        source.descriptors.contains { parse($0.name) != nil }
    }

    /// A `lora_A`/`lora_B` tensor name split into module and factor.
    static func parse(_ name: String) -> (module: String, factor: Character)? {
        // A plain substring test first: the regex engine costs ~0.2 ms a name, and every tensor
        // of every checkpoint passes through here (`isAdapter`).
        guard name.contains(".lora_") else { return nil }
        guard let m = name.wholeMatch(of: #/(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[^.]+)?\.weight/#) else { return nil }
        return (String(m.output.1), m.output.2.first!)
    }

    /// - Parameters:
    ///   - adapter: the adapter's tensors; `adapterFile` names it in errors.
    ///   - configPath: `adapter_config.json`, if it exists.
    ///   - base: the base model, for `W + B·A`.
    /// - Throws: `AnalysisError.invalidAdapter` for an unpaired factor, mismatched factor shapes,
    ///   an unreadable config, a module with no base layer; `.baseShapeMismatch` when the base
    ///   layer's shape is not out × in.
    public init(adapter: TensorSource, adapterFile: String, configPath: String?, base: TensorSource?) throws {
        self.adapter = adapter
        self.base = base
        config = try configPath.map { try LoRAConfig.load($0) }
        func fail(_ problem: String) -> AnalysisError { .invalidAdapter(file: adapterFile, problem: problem) }

        var factors: [String: (a: TensorDescriptor?, b: TensorDescriptor?)] = [:]
        var order: [String] = []
        var others: [TensorDescriptor] = []
        for d in adapter.descriptors {
            guard let (module, factor) = Self.parse(d.name) else { others.append(d); continue }
            if factors[module] == nil { order.append(module); factors[module] = (nil, nil) }
            if factor == "A" { factors[module]!.a = d } else { factors[module]!.b = d }
        }
        let baseMatrices = base?.descriptors.filter { $0.isFloatingPoint && $0.shape.count == 2 } ?? []
        let baseByName = Dictionary(baseMatrices.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var modules: [Module] = []
        for module in order {
            guard let a = factors[module]!.a else { throw fail("LoRA module '\(module)' has lora_B but no lora_A") }
            guard let b = factors[module]!.b else { throw fail("LoRA module '\(module)' has lora_A but no lora_B") }
            guard a.shape.count == 2, b.shape.count == 2, a.shape[0] == b.shape[1] else {
                throw fail("LoRA module '\(module)': lora_A is \(shapeText(a.shape)) and lora_B is \(shapeText(b.shape)); B·A needs lora_B's columns to equal lora_A's rows")
            }
            let rank = a.shape[0]
            var outIn = [b.shape[0], a.shape[1]]
            if config?.fanInFanOut == true { outIn.reverse() }
            if let c = config, let path = configPath, c.settings(module: module).rank != rank {
                throw AnalysisError.invalidAdapter(file: path, problem: "r = \(c.settings(module: module).rank) for module '\(module)', but its factors have rank \(rank)")
            }
            var baseDescriptor: TensorDescriptor?
            if let base {
                guard let found = Self.findBase(module, in: baseByName) else {
                    throw fail("no layer of \(base.label) matches LoRA module '\(module)' (looked for '\(module).weight')")
                }
                guard found.shape == outIn else {
                    throw AnalysisError.baseShapeMismatch(base: base.label, layer: found.name, modelShape: outIn, baseShape: found.shape)
                }
                baseDescriptor = found
            }
            let name = baseDescriptor?.name ?? module + ".lora_BA"
            let descriptor = TensorDescriptor(name: name, shape: outIn, dtype: "F64", isFloatingPoint: true,
                                              componentLimit: base == nil ? rank : nil)
            modules.append(Module(module: module, a: a, b: b, base: baseDescriptor, rank: rank,
                                  scale: config?.scale(module: module) ?? 1, descriptor: descriptor))
        }
        self.modules = modules
        byName = Dictionary(modules.map { ($0.descriptor.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.others = others
        let covered = Set(modules.compactMap { $0.base?.name })
        comparison = ComparisonInfo(
            mode: base == nil ? .loraProduct : .loraMerged, base: base?.label, adapterConfig: configPath,
            modules: modules.map { LoRAModuleInfo(module: $0.module, layer: $0.descriptor.name, rank: $0.rank, scale: $0.scale) },
            modelOnly: [], baseOnly: base == nil ? [] : baseMatrices.map(\.name).filter { !covered.contains($0) })
    }

    /// The base layer of `module`: exact name, else a unique suffix match either way.
    static func findBase(_ module: String, in base: [String: TensorDescriptor]) -> TensorDescriptor? {
        let target = module + ".weight"
        if let exact = base[target] { return exact }
        let candidates = base.keys.filter { $0.hasSuffix("." + target) || target.hasSuffix("." + $0) }
        return candidates.count == 1 ? base[candidates[0]] : nil
    }

    public var label: String { adapter.label }
    public var formatName: String { adapter.formatName }
    /// The adapted modules, then the adapter's other tensors (skipped).
    public var descriptors: [TensorDescriptor] { modules.map(\.descriptor) + others }
    /// The base model's order (the adapted layers carry its names), else natural order.
    public func forwardOrder() throws -> LayerOrder {
        try base?.forwardOrder() ?? .natural(note: "a LoRA adapter without --base")
    }

    public func skipReason(for descriptor: TensorDescriptor) -> SkipReason? {
        byName[descriptor.name] == nil ? .notLoRAPair : nil
    }

    /// `scale · B·A` (+ W), row-major out × in.
    public func readDoubles(_ descriptor: TensorDescriptor) throws -> [Double] {
        guard let m = byName[descriptor.name] else { return try adapter.readDoubles(descriptor) }
        let a = try adapter.readDoubles(m.a), b = try adapter.readDoubles(m.b)
        let out = m.b.shape[0], inner = m.rank, cols = m.a.shape[1]
        var product = [Double](repeating: 0, count: out * cols)
        product.withUnsafeMutableBufferPointer { c in
            for i in 0..<out {
                for k in 0..<inner {
                    let bik = m.scale * b[i * inner + k]
                    if bik == 0 { continue }
                    let rowA = k * cols, rowC = i * cols
                    for j in 0..<cols { c[rowC + j] += bik * a[rowA + j] }
                }
            }
        }
        if config?.fanInFanOut == true {
            var t = [Double](repeating: 0, count: product.count)
            for i in 0..<out { for j in 0..<cols { t[j * out + i] = product[i * cols + j] } }
            product = t
        }
        if let baseDescriptor = m.base, let base {
            let w = try base.readDoubles(baseDescriptor)
            for i in product.indices { product[i] += w[i] }
        }
        return product
    }
}

/// Opens what `htsr analyze` analyses.
public enum AnalysisInput {
    /// A checkpoint, or with LoRA factors in it an adapter (`B·A`, or `W + B·A` with `base`),
    /// or with a `base` and no LoRA factors the difference `W − W_base`.
    ///
    /// The adapter's `adapter_config.json` is looked for beside its (first) tensor file.
    /// Quantized weights are read as `quantized` says (dequantized by default).
    public static func open(_ path: String, base basePath: String?, quantized: QuantizedMode = .dequantize) throws -> TensorSource {
        let model = try Checkpoint.open(path, quantized: quantized)
        let base = try basePath.map { try Checkpoint.open($0, quantized: quantized) }
        if LoRASource.isAdapter(model) {
            let file = model.tensors.first?.file ?? path
            let config = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("adapter_config.json").path
            let configPath = FileManager.default.fileExists(atPath: config) ? config : nil
            return try LoRASource(adapter: model, adapterFile: file, configPath: configPath, base: base)
        }
        if let base { return try DeltaSource(model: model, base: base) }
        return model
    }
}
