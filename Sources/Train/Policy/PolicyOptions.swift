import Settings

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

    /// The documented range of every numeric option (`docs/train.md`), checked by `validate()`.
    public enum Limits {
        /// `linear`: multipliers of the lowest and highest α.
        public static let lrRatio = SettingRange<Double>.positive(upTo: 1000)
        /// `sigmoid`: multipliers run over 10^(±s/2), so s ≤ 10 keeps them within 10^±5.
        public static let scale = SettingRange<Double>(0, 10)
        public static let tau = SettingRange<Double>.positive(upTo: 1e6)
        public static let minEvals = SettingRange<Int>(2, 1_000_000_000)
        /// The `uniform` control's one multiplier of η (the same range as `linear`'s ratios).
        public static let uniformMultiplier = lrRatio
    }

    /// - Throws: `InvalidSetting` naming the setting by its JSON key (`lr_min_ratio`, …).
    public func validate() throws {
        try Limits.lrRatio.check(lrMinRatio, "lr_min_ratio")
        try Limits.lrRatio.check(lrMaxRatio, "lr_max_ratio")
        try InvalidSetting.require(lrMaxRatio >= lrMinRatio, "lr_max_ratio", formatSetting(lrMaxRatio),
                                   "at least lr_min_ratio (\(formatSetting(lrMinRatio)))", related: ["lr_min_ratio"])
        try Limits.scale.check(sMin, "s_min")
        try Limits.scale.check(sMax, "s_max")
        try Limits.tau.check(tau, "tau")
        try Limits.minEvals.check(minEvals, "min_evals")
    }
}
