import Foundation

/// One analysed layer as the policy sees it: its name (the module, e.g. `fc2` or
/// `encoder.layer.3.attention.self.query`), its eigenvalue count, its metric (nil when
/// the fit failed or was not computed), and whether it is an embedding table.
public struct LayerFit: Sendable, Equatable {
    public var name: String
    public var eigenvalueCount: Int
    public var metric: Double?
    /// Embeddings keep η and are not layers for the first/last rule (spec §1, §4).
    public var isEmbedding: Bool

    public init(name: String, eigenvalueCount: Int, metric: Double?, isEmbedding: Bool = false) {
        self.name = name
        self.eigenvalueCount = eigenvalueCount
        self.metric = metric
        self.isEmbedding = isEmbedding
    }
}

/// Why a layer keeps the global rate.
public enum ExclusionReason: String, Sendable, Codable, Equatable {
    case embedding = "embedding (keeps η)"
    case firstLayer = "first layer"
    case lastLayer = "last layer"
    case fewEigenvalues = "too few eigenvalues"
    case noMetric = "no metric (fit failed)"
    case noBlock = "outside any block"
}

/// The policy's decision for one layer.
public struct LayerDecision: Sendable, Codable, Equatable {
    public var name: String
    public var eigenvalueCount: Int
    public var metric: Double?
    /// The group whose rate the layer takes (its block, or itself); nil when excluded.
    public var group: String?
    /// The group's metric (the block mean for blocks).
    public var groupMetric: Double?
    public var multiplier: Double
    public var excluded: ExclusionReason?

    enum CodingKeys: String, CodingKey {
        case name, eigenvalueCount = "num_evals", metric, group, groupMetric = "group_metric", multiplier, excluded, reason
    }
}

extension LayerDecision {
    /// Every entry has the same keys: `metric`, `group`, `group_metric` and `reason` are null
    /// when absent, and `excluded` is a boolean (`reason` says why).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(eigenvalueCount, forKey: .eigenvalueCount)
        try c.encode(metric, forKey: .metric)
        try c.encode(group, forKey: .group)
        try c.encode(groupMetric, forKey: .groupMetric)
        try c.encode(multiplier, forKey: .multiplier)
        try c.encode(excluded != nil, forKey: .excluded)
        try c.encode(excluded?.rawValue, forKey: .reason)
    }

    /// Reads entries written by `encode`, and those of earlier versions (`excluded` the reason).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        eigenvalueCount = try c.decode(Int.self, forKey: .eigenvalueCount)
        metric = try c.decodeIfPresent(Double.self, forKey: .metric)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        groupMetric = try c.decodeIfPresent(Double.self, forKey: .groupMetric)
        multiplier = try c.decode(Double.self, forKey: .multiplier)
        if let old = try? c.decodeIfPresent(ExclusionReason.self, forKey: .excluded) {
            excluded = old
        } else {
            excluded = try c.decodeIfPresent(ExclusionReason.self, forKey: .reason)
        }
    }
}

/// TempBalance as pure functions: per-layer fits in, per-layer and per-parameter learning-rate
/// multipliers out (multiply the scheduled global rate η by them). Exactly the reference's
/// rules (`tempbalance-spec.md` §4).
public enum TempBalance {
    /// `tb_linear_map` multipliers: interp(a, [min a, max a], [minRatio, maxRatio]); when all
    /// values are equal every layer gets the upper end (numpy's `interp` with xp = [a, a]).
    public static func linearMap(_ values: [Double], minRatio: Double, maxRatio: Double) -> [Double] {
        guard let lo = values.min(), let hi = values.max() else { return [] }
        return values.map { v in
            if v >= hi { return maxRatio }
            if v <= lo { return minRatio }
            return minRatio + (v - lo) / (hi - lo) * (maxRatio - minRatio)
        }
    }

    /// Sigmoid multipliers: d = a − mean(a); f = sMax·(σ(τd) − ½) if d > 0 else sMin·(σ(τd) − ½)
    /// (d = 0 takes the sMin branch, giving f = 0); multiplier 10^f.
    public static func sigmoid(_ values: [Double], sMin: Double, sMax: Double, tau: Double) -> [Double] {
        guard !values.isEmpty else { return [] }
        let mean = values.reduce(0, +) / Double(values.count)
        return values.map { v in
            let d = v - mean
            let s = 1 / (1 + exp(-tau * d)) - 0.5
            return pow(10, (d > 0 ? sMax : sMin) * s)
        }
    }

    /// The block of a layer: its name up to the first `.<integer>.` (`encoder.layer.3.attn.q`
    /// → `encoder.layer.3`), nil if there is none.
    public static func block(of name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        for i in 1..<(parts.count - 1) where !parts[i].isEmpty && parts[i].allSatisfy(\.isNumber) {
            return parts[0...i].joined(separator: ".")
        }
        return nil
    }

    /// The layers that will be balanced if their metric is available: the reference's
    /// exclusions (first, last, too few eigenvalues) and, in block unit, layers outside any block
    /// — all known without a spectrum.
    public static func candidates(_ layers: [LayerFit], options: PolicyOptions) -> [String] {
        let probe = layers.map { LayerFit(name: $0.name, eigenvalueCount: $0.eigenvalueCount, metric: 0, isEmbedding: $0.isEmbedding) }
        return decide(probe, options: options).filter { $0.excluded == nil }.map(\.name)
    }

    /// Per-layer decisions for layers given in forward order. Embeddings keep η (the reference
    /// analyses Linear and Conv layers only); of the other layers the reference drops the first
    /// and the last, then layers with fewer than `minEvals` eigenvalues; a layer without a metric
    /// keeps η. Groups (layers, or blocks with their mean metric) are mapped by the scheme.
    public static func decide(_ layers: [LayerFit], options: PolicyOptions) -> [LayerDecision] {
        var decisions = layers.map {
            LayerDecision(name: $0.name, eigenvalueCount: $0.eigenvalueCount, metric: $0.metric, group: nil,
                          groupMetric: nil, multiplier: 1, excluded: nil)
        }
        let matrices = layers.indices.filter { !layers[$0].isEmbedding }
        for i in decisions.indices {
            if layers[i].isEmbedding { decisions[i].excluded = .embedding }
            else if options.dropFirst && i == matrices.first { decisions[i].excluded = .firstLayer }
            else if options.dropLast && i == matrices.last { decisions[i].excluded = .lastLayer }
            else if decisions[i].eigenvalueCount < options.minEvals { decisions[i].excluded = .fewEigenvalues }
            else if decisions[i].metric == nil { decisions[i].excluded = .noMetric }
            else if options.unit == .block {
                if let b = block(of: decisions[i].name) { decisions[i].group = b } else { decisions[i].excluded = .noBlock }
            } else {
                decisions[i].group = decisions[i].name
            }
        }
        // Group metrics in order of first appearance (block mean over its balanced layers).
        var groups: [String] = []
        var sums: [String: (Double, Int)] = [:]
        for d in decisions {
            guard let g = d.group, let m = d.metric else { continue }
            if sums[g] == nil { groups.append(g); sums[g] = (0, 0) }
            sums[g]!.0 += m
            sums[g]!.1 += 1
        }
        let groupMetric = groups.map { sums[$0]!.0 / Double(sums[$0]!.1) }
        let multipliers: [Double]
        switch options.scheme {
        case .linear: multipliers = linearMap(groupMetric, minRatio: options.lrMinRatio, maxRatio: options.lrMaxRatio)
        case .sigmoid: multipliers = sigmoid(groupMetric, sMin: options.sMin, sMax: options.sMax, tau: options.tau)
        }
        let byGroup = Dictionary(uniqueKeysWithValues: zip(groups, zip(groupMetric, multipliers)))
        for i in decisions.indices {
            guard let g = decisions[i].group, let (m, k) = byGroup[g] else { continue }
            decisions[i].groupMetric = m
            decisions[i].multiplier = k
        }
        return decisions
    }

    /// Whether a module name is a normalisation layer (LayerNorm / BatchNorm / RMSNorm).
    public static func isNorm(_ module: String) -> Bool {
        let last = (module.split(separator: ".").last.map(String.init) ?? module).lowercased()
        let stem = last.trimmingCharacters(in: .decimalDigits).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return ["ln", "bn", "ln_f", "batchnorm", "batch_norm"].contains(stem) || last.hasSuffix("norm")
    }

    /// Per-parameter multipliers, by name (never by position):
    /// - a balanced layer's parameters (`<layer>.weight`, `<layer>.bias`, …) get its multiplier;
    /// - with `normsFollow`, a norm layer gets, in block unit, the multiplier of its block, and in
    ///   layer unit the multiplier of the layer it normalises: by name `bnX` → `convX` (the
    ///   reference's `bn_to_conv`) or `lnX` → `fcX`, else the module just before it in
    ///   parameter order when that is a balanced layer (the reference's `ln_to_linear`);
    /// - everything else (embeddings, the head, excluded layers) keeps 1.
    /// The result lists `parameterNames` in the given order.
    public static func route(parameterNames: [String], decisions: [LayerDecision], options: PolicyOptions) -> [(name: String, multiplier: Double)] {
        var layerMultiplier: [String: Double] = [:]
        var blockMultiplier: [String: Double] = [:]
        let analysed = Set(decisions.map(\.name))
        for d in decisions where d.excluded == nil {
            layerMultiplier[d.name] = d.multiplier
            if options.unit == .block, let g = d.group { blockMultiplier[g] = d.multiplier }
        }
        var result: [(String, Double)] = []
        var current: String?, before: String?
        for name in parameterNames {
            let module = name.split(separator: ".").dropLast().joined(separator: ".")
            if module != current { before = current; current = module }
            var k = 1.0
            if let m = layerMultiplier[module] {
                k = m
            } else if options.normsFollow && !analysed.contains(module) && isNorm(module) {
                if options.unit == .block {
                    if let b = block(of: name), let m = blockMultiplier[b] { k = m }
                } else {
                    let byName = [module.replacingOccurrences(of: "bn", with: "conv"),
                                  module.replacingOccurrences(of: "ln", with: "fc")].filter { $0 != module }
                    if let m = byName.lazy.compactMap({ layerMultiplier[$0] }).first { k = m }
                    else if let p = before, !isNorm(p), let m = layerMultiplier[p] { k = m }
                }
            }
            result.append((name, k))
        }
        return result
    }
}
