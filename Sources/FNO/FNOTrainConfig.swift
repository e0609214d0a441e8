import PowerLaw
import Settings
import Train

/// Every option of an FNO training run (`htsr fno train`); written into the log's first line.
/// Defaults follow PDEBench's FNO configuration and the spec (§5) where they are stated.
public struct FNOTrainConfig: Sendable, Codable, Equatable {
    /// The PDEBench-layout HDF5 file.
    public var data = ""
    /// Frames the model sees (PDEBench `initial_step`); nil: 1 for Darcy, 10 otherwise.
    public var initialStep: Int?
    /// Frames used in training (`t_train`); nil: all. Evaluation always runs every frame.
    public var tTrain: Int?
    /// Keep every k-th sample of the training pool (`reduced_batch`)...
    public var reducedBatch = 1
    /// ...starting from this one (0..<reducedBatch; 0 = PDEBench's `[::reduced_batch]`).
    public var poolOffset = 0
    public var reducedResolution = 1
    public var reducedResolutionT = 1
    /// Darcy only: multiply the solution by this factor (= the solution for source factor·f).
    public var darcyScale: Float = 1
    /// The first `testSamples` of the file are the test set; nil: 10 % (PDEBench `test_ratio`).
    public var testSamples: Int?
    /// The last `validationSamples` are the validation set (0: none).
    public var validationSamples = 0
    // Model.
    public var width = 20
    public var modes = 12
    public var layers = 4
    /// nil: 2 for 2-D, 0 for 1-D (PDEBench).
    public var padding: Int?
    public var projection = 128
    // Optimisation (Adam, L2 added to the gradient, every tensor; StepLR per epoch).
    public var epochs = 100
    public var batchSize = 20
    public var lr: Float = 1e-3
    public var weightDecay: Float = 1e-4
    /// StepLR: η = lr · gamma^⌊epoch / stepSize⌋.
    public var stepSize = 100
    public var gamma: Float = 0.5
    // Policy.
    public var policy: PolicyMode = .none
    public var balance = FNOBalanceOptions()
    /// The multiplier of the balanced layers under `policy == .uniform`.
    public var uniformMultiplier = 1.0
    // Run.
    public var seed: UInt64 = 0
    public var out = "runs/fno"
    /// Epochs between evaluations of the validation and test sets (the last epoch always).
    public var evalEvery: Int?
    public var blasThreads = 1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case data, initialStep = "initial_step", tTrain = "t_train", reducedBatch = "reduced_batch", poolOffset = "pool_offset"
        case reducedResolution = "reduced_resolution", reducedResolutionT = "reduced_resolution_t"
        case darcyScale = "darcy_scale", testSamples = "test_samples", validationSamples = "validation_samples"
        case width, modes, layers, padding, projection, epochs, batchSize = "batch_size", lr
        case weightDecay = "weight_decay", stepSize = "step_size", gamma, policy, balance, uniformMultiplier = "uniform_multiplier", seed, out
        case evalEvery = "eval_every", blasThreads = "blas_threads"
    }

    /// The documented range of every numeric option (`docs/fno.md`), checked by `validate()`.
    public enum Limits {
        public static let count = SettingRange<Int>(1, 1_000_000_000)
        /// The first pool sample taken when `reduced_batch` strides the pool (below `reduced_batch`).
        public static let poolOffset = SettingRange<Int>(0, 1_000_000_000 - 1)
        public static let frames = SettingRange<Int>(1, 1_000_000)
        public static let darcyScale = SettingRange<Float>.positive(upTo: 1e6)
        public static let validationSamples = SettingRange<Int>(0, 1_000_000_000)
        public static let width = SettingRange<Int>(1, 4096)
        public static let modes = SettingRange<Int>(1, 4096)
        public static let layers = SettingRange<Int>(1, 64)
        public static let padding = SettingRange<Int>(0, 4096)
        public static let projection = SettingRange<Int>(1, 65_536)
        public static let epochs = SettingRange<Int>(1, 1_000_000)
        public static let batchSize = SettingRange<Int>(1, 100_000)
        public static let lr = SettingRange<Float>.positive(upTo: 10)
        public static let weightDecay = SettingRange<Float>(0, 1000)
        public static let gamma = SettingRange<Float>.positive(upTo: 10)
        public static let threads = SettingRange<Int>(1, 1024)
    }

    /// Checks every setting against `Limits` (NaN and ±∞ included) and the policy's options.
    /// - Throws: `InvalidSetting` naming the setting by its JSON key (`batch_size`, `s_min`, …).
    public func validate() throws {
        try InvalidSetting.require(!data.isEmpty, "data", "''", "a PDEBench-layout HDF5 file")
        try Limits.frames.check(initialStep, "initial_step")
        if let t = tTrain { try SettingRange<Int>(2, Limits.frames.upper).check(t, "t_train") }
        try Limits.count.check(reducedBatch, "reduced_batch")
        try Limits.count.check(reducedResolution, "reduced_resolution")
        try Limits.count.check(reducedResolutionT, "reduced_resolution_t")
        try Limits.poolOffset.check(poolOffset, "pool_offset")
        try InvalidSetting.require(poolOffset < reducedBatch, "pool_offset", poolOffset,
                                   "less than reduced_batch (\(reducedBatch))", related: ["reduced_batch"])
        try PolicyOptions.Limits.uniformMultiplier.check(uniformMultiplier, "uniform_multiplier")
        try Limits.darcyScale.check(darcyScale, "darcy_scale")
        try Limits.count.check(testSamples, "test_samples")
        try Limits.validationSamples.check(validationSamples, "validation_samples")
        try Limits.width.check(width, "width")
        try Limits.modes.check(modes, "modes")
        try Limits.layers.check(layers, "layers")
        try Limits.padding.check(padding, "padding")
        try Limits.projection.check(projection, "projection")
        try Limits.epochs.check(epochs, "epochs")
        try Limits.batchSize.check(batchSize, "batch_size")
        try Limits.lr.check(lr, "lr")
        try Limits.weightDecay.check(weightDecay, "weight_decay")
        try Limits.count.check(stepSize, "step_size")
        try Limits.gamma.check(gamma, "gamma")
        try Limits.epochs.check(evalEvery, "eval_every")
        try Limits.threads.check(blasThreads, "blas_threads")
        try Hill.xminPosRange.check(balance.xminPos, "xmin_pos")
        try balance.policy.validate()
    }
}
