/// How layer metrics become learning-rate multipliers (`../shared/docs/tempbalance-spec.md` §4).
public enum PolicyScheme: String, Sendable, Codable, CaseIterable {
    /// `tb_linear_map`: lr = interp(α, [min α, max α], [lrMinRatio·η, lrMaxRatio·η]).
    case linear
    /// Model Balancing's sigmoid: lr = η·10^f, f = s·(σ(τ·(a − ā)) − ½), s = sMax above the
    /// mean, sMin at or below it.
    case sigmoid
}

/// What one learning rate is shared by: a block (the first `.<int>.` in the name) or a layer.
public enum PolicyUnit: String, Sendable, Codable, CaseIterable {
    case block, layer
}

/// Every setting of the policy; written into the policy file and the training log.
public struct PolicyOptions: Sendable, Codable, Equatable {
    public var scheme: PolicyScheme = .sigmoid
    public var unit: PolicyUnit = .layer
    /// The analyzer column used as the metric (`PL_Alpha_Hill` = `hill_alpha`).
    public var metric: String = "PL_Alpha_Hill"
    public var lrMinRatio: Double = 0.5
    public var lrMaxRatio: Double = 1.5
    public var sMin: Double = 1
    public var sMax: Double = 1
    public var tau: Double = 10
    /// The reference excludes the first and the last analysed layer (in depth order)...
    public var dropFirst = true
    public var dropLast = true
    /// ...and then layers with fewer eigenvalues than this.
    public var minEvals = 50
    /// LayerNorm / BatchNorm parameters follow their block (block unit) or the layer they
    /// normalise (layer unit: the Linear just before a LayerNorm; `bnX` → `convX` by name).
    public var normsFollow = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case scheme, unit, metric, lrMinRatio = "lr_min_ratio", lrMaxRatio = "lr_max_ratio"
        case sMin = "s_min", sMax = "s_max", tau, dropFirst = "drop_first", dropLast = "drop_last"
        case minEvals = "min_evals", normsFollow = "norms_follow"
    }

    public func validate() throws {
        guard lrMinRatio > 0, lrMaxRatio >= lrMinRatio else {
            throw TrainError.invalidOption("--lr-min-ratio must be positive and at most --lr-max-ratio")
        }
        guard sMin >= 0, sMax >= 0, tau > 0 else { throw TrainError.invalidOption("--s-min and --s-max must not be negative and --tau must be positive") }
        guard minEvals >= 2 else { throw TrainError.invalidOption("--policy-min-evals must be at least 2") }
    }
}
