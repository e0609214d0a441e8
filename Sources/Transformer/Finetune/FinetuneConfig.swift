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

    /// Largest values accepted for sizes (to refuse absurd requests before allocating).
    public enum Limits {
        public static let epochs = 100_000
        public static let batchSize = 4_096
        public static let balanceLag = 10_000
    }

    /// Checks every option; the message names the option (as a library: the CLI maps it to a flag).
    public func validate() throws {
        func bad(_ m: String) -> TrainError { .invalidOption(m) }
        guard (1...Limits.epochs).contains(epochs) else { throw bad("--epochs must be in 1…\(Limits.epochs)") }
        guard (1...Limits.batchSize).contains(batchSize) else { throw bad("--batch-size must be in 1…\(Limits.batchSize)") }
        guard maxLength >= 2 else { throw bad("--max-length must be at least 2 ([CLS] and [SEP])") }
        guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive number") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw bad("--weight-decay must be a non-negative number") }
        guard warmupRatio.isFinite, warmupRatio >= 0, warmupRatio < 1 else { throw bad("--warmup-ratio must be in [0, 1)") }
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1, epsilon.isFinite, epsilon > 0 else {
            throw bad("the AdamW betas must be in [0, 1) and epsilon positive")
        }
        if let c = clip { guard c.isFinite, c > 0 else { throw bad("--clip must be a positive number") } }
        guard xminPos.isFinite, xminPos >= 1 else { throw bad("--xmin-pos must be at least 1") }
        guard (0...Limits.balanceLag).contains(balanceLag) else { throw bad("--balance-lag must be in 0…\(Limits.balanceLag)") }
        if balanceLag > 0 && blasThreads > 1 {
            throw bad("--balance-lag overlaps the analysis with training on another core; use it with --blas-threads 1")
        }
        guard (1...256).contains(blasThreads), (1...256).contains(analysisThreads) else { throw bad("thread counts must be in 1…256") }
        if let s = stopAfter, s < 1 { throw bad("--stop-after must be positive") }
        guard uniformMultiplier > 0, uniformMultiplier.isFinite else { throw bad("--uniform-multiplier must be positive") }
        try policyOptions.validate()
    }
}
