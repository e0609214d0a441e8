import PowerLaw
import Settings
import Train

/// Every option of a fine-tuning run (`htsr finetune`); written into the log's first line and the
/// resume state. Defaults are the spec's GLUE recipe (`tempbalance-spec.md` §5): AdamW with
/// decoupled weight decay 0.1 on weights (not biases or LayerNorm), linear warmup over 6 % of the
/// steps then linear decay, 10 epochs, length 128, the best epoch by validation accuracy;
/// TempBalance block-wise sigmoid with xmin_pos 1.5 and τ 10 at the NLP interval.
public struct FinetuneConfig: Sendable, Codable, Equatable {
    /// The pretrained model folder.
    public var model = ""
    /// What the data are (a built-in set's name or a file), for the log.
    public var data = ""
    public var pooling: Pooling = .cls
    public var maxLength = 128
    public var epochs = 10
    public var batchSize = 16
    public var lr: Float = 3e-5
    public var weightDecay: Float = 0.1
    public var warmupRatio = 0.06
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Global gradient-norm clipping (nil = none).
    public var clip: Float? = 1
    /// none, tempbalance, or a control: tempbalance-frozen (the multipliers of the first
    /// recomputation kept), uniform (`uniformMultiplier` on every layer TempBalance balances).
    public var policy: PolicyMode = .none
    public var uniformMultiplier = 1.0
    public var policyOptions: PolicyOptions = FinetuneConfig.defaultPolicy
    public var balanceEvery: BalanceInterval = .auto
    public var balanceLag = 0
    public var xminPos = 1.5
    public var seed: UInt64 = 0
    public var out = "runs/finetune"
    public var blasThreads = 1
    public var analysisThreads = 1
    /// Stop after this many steps (resumable); not part of the run's identity.
    public var stopAfter: Int?
    /// Continue from `<out>/resume/state.safetensors`; not part of the run's identity.
    public var resume = false
    /// Evaluate the test split on the best epoch's weights at the end (false: an experiment that
    /// evaluates only the configurations it chose, later, with `FinetuneTrainer.testBest`); not part of the identity.
    public var testAtEnd = true
    /// Write the resume state after every epoch (false: a run that is restarted, not resumed, when
    /// interrupted — it saves 3 × the model's size of writing per epoch); not part of the identity.
    public var resumable = true
    /// Log every layer's α at every epoch also when the policy does not compute spectra (one
    /// eigendecomposition per layer per epoch); not part of the identity.
    public var logSpectra = true

    public init() {}

    /// Block-wise sigmoid (`tb_layer_blocks`), τ 10, s_min = s_max = 1.
    public static var defaultPolicy: PolicyOptions {
        var p = PolicyOptions()
        p.scheme = .sigmoid
        p.unit = .block
        p.tau = 10
        return p
    }

    enum CodingKeys: String, CodingKey {
        case model, data, pooling, maxLength = "max_length", epochs, batchSize = "batch_size", lr
        case weightDecay = "weight_decay", warmupRatio = "warmup_ratio", beta1, beta2, epsilon, clip
        case policy, policyOptions = "policy_options", balanceEvery = "balance_every", balanceLag = "balance_lag"
        case xminPos = "xmin_pos", seed, out, blasThreads = "blas_threads", analysisThreads = "analysis_threads"
        case stopAfter = "stop_after", resume, uniformMultiplier = "uniform_multiplier"
        case testAtEnd = "test_at_end", resumable, logSpectra = "log_spectra"
    }

    /// The settings that decide the weights (what a resumed run must share with the original).
    var identity: FinetuneConfig {
        var c = self
        c.stopAfter = nil
        c.resume = false
        c.testAtEnd = true
        c.resumable = true
        c.logSpectra = true
        c.blasThreads = 1
        c.analysisThreads = 1
        c.out = ""
        c.model = ""
        return c
    }

    /// The documented range of every numeric option (`docs/finetune.md`, `htsr finetune --help`),
    /// checked by `validate()`; the loop's options (balance interval and lag, threads) share
    /// `TrainConfig.Limits` with the MLP trainer.
    public enum Limits {
        /// At least [CLS] and [SEP]; at most the largest max_position_embeddings a config may have.
        public static let maxLength = SettingRange<Int>(2, BertConfig.Limits.maxPositions)
        public static let epochs = SettingRange<Int>(1, 100_000)
        public static let batchSize = SettingRange<Int>(1, 4_096)
        public static let lr = TrainConfig.Limits.lr
        public static let weightDecay = TrainConfig.Limits.weightDecay
        public static let warmupRatio = TrainConfig.Limits.warmupRatio
        public static let clip = TrainConfig.Limits.clip
        /// AdamW's moment decay rates (not command-line options).
        public static let beta = SettingRange<Float>(0, 1, upperOpen: true)
        public static let epsilon = SettingRange<Float>.positive(upTo: 1)
        /// The most optimizer steps of a run (epochs × steps per epoch).
        public static let totalSteps = 100_000_000
    }

    /// Checks every setting against `Limits` (NaN and ±∞ included) and the policy's options.
    /// - Throws: `InvalidSetting` naming the setting by its JSON key (`max_length`, `batch_size`, …).
    public func validate() throws {
        let loop = TrainConfig.Limits.self
        try Limits.maxLength.check(maxLength, "max_length")
        try Limits.epochs.check(epochs, "epochs")
        try Limits.batchSize.check(batchSize, "batch_size")
        try Limits.lr.check(lr, "lr")
        try Limits.weightDecay.check(weightDecay, "weight_decay")
        try Limits.warmupRatio.check(warmupRatio, "warmup_ratio")
        try Limits.beta.check(beta1, "beta1")
        try Limits.beta.check(beta2, "beta2")
        try Limits.epsilon.check(epsilon, "epsilon")
        try Limits.clip.check(clip, "clip")
        try Hill.xminPosRange.check(xminPos, "xmin_pos")
        if case let .steps(n) = balanceEvery { try loop.count.check(n, "balance_every") }
        try loop.balanceLag.check(balanceLag, "balance_lag")
        try loop.threads.check(blasThreads, "blas_threads")
        try loop.threads.check(analysisThreads, "analysis_threads")
        try loop.count.check(stopAfter, "stop_after")
        try PolicyOptions.Limits.uniformMultiplier.check(uniformMultiplier, "uniform_multiplier")
        try InvalidSetting.require(balanceLag == 0 || blasThreads == 1, "balance_lag", balanceLag,
                                   "0 unless blas_threads is 1 (the lag overlaps the analysis with training on another core)",
                                   related: ["blas_threads"])
        try policyOptions.validate()
    }
}
