import PowerLaw
import Settings

/// Whether the learning rates follow TempBalance, or one of its two controls.
public enum PolicyMode: String, Sendable, Codable, CaseIterable {
    /// Every parameter at the scheduled rate η.
    case none
    /// TempBalance: multipliers recomputed from the spectra in the loop.
    case tempbalance
    /// Control: TempBalance's first multipliers (from the spectra of the initial weights, at the
    /// first recomputation) kept for the whole run; the spectra are never computed again.
    case frozen = "tempbalance-frozen"
    /// Control: one fixed multiplier (`uniformMultiplier`) on every layer TempBalance would
    /// balance (routed as TempBalance routes: weight, bias, a following norm), all else η; no
    /// spectra.
    case uniform

    /// Whether the multipliers come from spectra computed in the loop.
    public var usesSpectra: Bool { self == .tempbalance || self == .frozen }
}

/// When TempBalance recomputes the spectra (`tempbalance-spec.md` §4, "When").
public enum BalanceInterval: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The NLP reference: every min(100, max(1, batches_per_epoch / 10)) steps, on the weights
    /// before that step's update; the rates change after the step (step 0 uses the uniform rate).
    case auto
    /// Every N steps, with the same timing as `auto`.
    case steps(Int)
    /// Once per epoch, before its first step, applied at once (FNO / NeurIPS TempBalance).
    case epoch

    public init?(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "epoch": self = .epoch
        default:
            guard let n = Int(argument), n > 0 else { return nil }
            self = .steps(n)
        }
    }

    public var description: String {
        switch self { case .auto: return "auto"; case .epoch: return "epoch"; case let .steps(n): return String(n) }
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = BalanceInterval(argument: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad interval \(s)"))
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Every option of a training run (`htsr train`); written into the log's first line and the
/// resume state.
public struct TrainConfig: Sendable, Codable, Equatable {
    // Model.
    public var model = "mlp"
    public var hidden: [Int] = [256, 256, 256, 256]
    public var activation: Activation = .relu
    public var layerNorm = false
    public var dropout = 0.0
    // Data.
    public var data: DataSetKind = .digits
    public var dataDir = ".cache/data"
    public var trainRatio: Double?
    public var perClass: Int?
    /// Examples per class held out of the training pool as the validation split (the last ones
    /// of each class in file order; 0 = none). Subsets are drawn from what remains.
    public var validationPerClass = 0
    // Optimisation.
    public var epochs = 10
    /// Total optimizer steps; overrides `epochs` when set.
    public var steps: Int?
    public var batchSize = 32
    public var optimizer = OptimizerSettings()
    public var lr: Float = 0.01
    public var schedule: ScheduleKind = .cosine
    public var warmupRatio = 0.0
    public var stepSize = 1000
    public var gamma: Float = 0.5
    public var minLRRatio: Float = 0
    public var clip: Float?
    // Policy.
    public var policy: PolicyMode = .none
    public var policyOptions = PolicyOptions()
    /// The multiplier of the balanced layers under `policy == .uniform`.
    public var uniformMultiplier = 1.0
    public var balanceEvery: BalanceInterval = .auto
    /// Steps by which the multipliers from a recomputation take effect later than in the
    /// reference (0 = the reference's timing). With a lag L > 0 the spectra of the weights before
    /// step s are computed on another thread while training goes on, and take effect L steps
    /// after they would at lag 0 — deterministic (the snapshot is taken at step s, the result
    /// applied at a fixed step), so runs stay reproducible and resumable.
    public var balanceLag = 0
    public var xminPos = 2.0
    public var filterZeros = false
    // Run.
    public var seed: UInt64 = 0
    public var out = "runs/train"
    /// Steps between log lines; nil = one epoch.
    public var logEvery: Int?
    public var initCheckpoint: String?
    /// Start the classifier head afresh even when its shape matches the --init checkpoint.
    public var newHead = false
    /// BLAS threads for the training matmuls (the analysis always runs BLAS single-threaded).
    public var blasThreads = 1
    /// Worker threads for the in-loop analysis (one layer each).
    public var analysisThreads = 1
    /// Stop after this many steps (the run can be resumed); not part of the run's identity.
    public var stopAfter: Int?
    /// Continue from `<out>/resume.safetensors`; not part of the run's identity.
    public var resume = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case model, hidden, activation, layerNorm = "layer_norm", dropout, data, dataDir = "data_dir"
        case trainRatio = "train_ratio", perClass = "per_class", validationPerClass = "validation_per_class", epochs, steps, batchSize = "batch_size"
        case optimizer, lr, schedule, warmupRatio = "warmup_ratio", stepSize = "step_size", gamma
        case minLRRatio = "min_lr_ratio", clip, policy, policyOptions = "policy_options", uniformMultiplier = "uniform_multiplier"
        case balanceEvery = "balance_every", balanceLag = "balance_lag", xminPos = "xmin_pos", filterZeros = "filter_zeros"
        case seed, out, logEvery = "log_every", initCheckpoint = "init", newHead = "new_head"
        case blasThreads = "blas_threads", analysisThreads = "analysis_threads", stopAfter = "stop_after", resume
    }

    /// The settings that decide the weights (what a resumed run must share with the original).
    var identity: TrainConfig {
        var c = self
        c.stopAfter = nil
        c.resume = false
        c.blasThreads = 1
        c.analysisThreads = 1
        c.out = ""
        c.dataDir = ""
        return c
    }

    /// The documented range of every numeric option (`docs/train.md`), checked by `validate()`.
    public enum Limits {
        public static let width = SettingRange<Int>(1, 65_536)
        public static let hiddenLayers = SettingRange<Int>(1, 64)
        public static let dropout = SettingRange<Double>(0, 1, upperOpen: true)
        public static let trainRatio = SettingRange<Double>.positive(upTo: 1)
        public static let count = SettingRange<Int>(1, 1_000_000_000)
        /// Validation examples per class (0: no validation split).
        public static let validationPerClass = SettingRange<Int>(0, 1_000_000_000)
        public static let epochs = SettingRange<Int>(1, 1_000_000)
        public static let batchSize = SettingRange<Int>(1, 100_000)
        public static let lr = SettingRange<Float>.positive(upTo: 10)
        public static let momentum = SettingRange<Float>(0, 1, upperOpen: true)
        public static let weightDecay = SettingRange<Float>(0, 1000)
        public static let warmupRatio = SettingRange<Double>(0, 1, upperOpen: true)
        public static let gamma = SettingRange<Float>.positive(upTo: 10)
        public static let minLRRatio = SettingRange<Float>(0, 1)
        public static let clip = SettingRange<Float>.positive(upTo: 1e9)
        public static let balanceLag = SettingRange<Int>(0, 1_000_000)
        public static let threads = SettingRange<Int>(1, 1024)
        /// The most values of one weight matrix or one layer's activations of a batch (2³¹).
        public static let elements = 1 << 31
    }

    /// Checks every setting against `Limits` (NaN and ±∞ included) and the policy's options.
    /// - Throws: `InvalidSetting` naming the setting by its JSON key (`batch_size`, `lr`, …).
    public func validate() throws {
        try InvalidSetting.require(model == "mlp", "model", "'\(model)'", "a known model (mlp)")
        try Limits.hiddenLayers.check(hidden.count, "hidden.count")
        try Limits.width.check(each: hidden, "hidden")
        try Limits.dropout.check(dropout, "dropout")
        try Limits.trainRatio.check(trainRatio, "train_ratio")
        try Limits.count.check(perClass, "per_class")
        try Limits.validationPerClass.check(validationPerClass, "validation_per_class")
        try Limits.epochs.check(epochs, "epochs")
        try Limits.count.check(steps, "steps")
        try Limits.batchSize.check(batchSize, "batch_size")
        // Sizes whose products are allocated: a hidden layer's weights, a batch's activations.
        let widths = hidden.map(String.init).joined(separator: ",")
        for (a, b) in zip(hidden, hidden.dropFirst()) {
            _ = try SettingProduct.check([a, b], "hidden", value: widths, limit: Limits.elements, what: "weights of a layer, width × next width")
        }
        _ = try SettingProduct.check([batchSize, hidden.max() ?? 1], "batch_size", value: batchSize, limit: Limits.elements,
                                     what: "activations of a layer, batch × largest width")
        try Limits.lr.check(lr, "lr")
        try Limits.momentum.check(optimizer.momentum, "momentum")
        try Limits.weightDecay.check(optimizer.weightDecay, "weight_decay")
        try Limits.warmupRatio.check(warmupRatio, "warmup_ratio")
        try Limits.count.check(stepSize, "step_size")
        try Limits.gamma.check(gamma, "gamma")
        try Limits.minLRRatio.check(minLRRatio, "min_lr_ratio")
        try Limits.clip.check(clip, "clip")
        if case let .steps(n) = balanceEvery { try Limits.count.check(n, "balance_every") }
        try Limits.balanceLag.check(balanceLag, "balance_lag")
        try Hill.xminPosRange.check(xminPos, "xmin_pos")
        try Limits.count.check(logEvery, "log_every")
        try Limits.threads.check(blasThreads, "blas_threads")
        try Limits.threads.check(analysisThreads, "analysis_threads")
        try Limits.count.check(stopAfter, "stop_after")
        try PolicyOptions.Limits.uniformMultiplier.check(uniformMultiplier, "uniform_multiplier")
        try InvalidSetting.require(balanceLag == 0 || blasThreads == 1, "balance_lag", balanceLag,
                                   "0 unless blas_threads is 1 (the lag overlaps the analysis with training on another core)",
                                   related: ["blas_threads"])
        try policyOptions.validate()
        var probe = SpectrumProbe(policy: policyOptions)
        probe.xminPos = xminPos
        probe.filterZeros = filterZeros
        try probe.validateMetric()
    }
}
