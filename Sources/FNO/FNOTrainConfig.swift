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

    public func validate() throws {
        func bad(_ m: String) -> TrainError { .invalidOption(m) }
        guard !data.isEmpty else { throw bad("--data is required (a PDEBench-layout HDF5 file)") }
        if let k = initialStep, k < 1 { throw bad("--initial-step must be at least 1") }
        if let t = tTrain, t < 2 { throw bad("--t-train must be at least 2") }
        guard reducedBatch >= 1, reducedResolution >= 1, reducedResolutionT >= 1 else { throw bad("--reduced-batch and --reduced-resolution(-t) must be at least 1") }
        guard (0..<reducedBatch).contains(poolOffset) else { throw bad("--pool-offset must be in 0..<reduced-batch") }
        guard uniformMultiplier > 0, uniformMultiplier.isFinite else { throw bad("--uniform-multiplier must be positive") }
        guard darcyScale > 0, darcyScale.isFinite else { throw bad("--darcy-scale must be positive") }
        if let n = testSamples, n < 1 { throw bad("--test-samples must be at least 1") }
        guard validationSamples >= 0 else { throw bad("--validation-samples must not be negative") }
        guard epochs > 0, batchSize > 0, stepSize > 0 else { throw bad("--epochs, --batch-size and --step-size must be positive") }
        guard lr > 0, lr.isFinite, weightDecay >= 0, gamma > 0 else { throw bad("--lr and --gamma must be positive, --weight-decay not negative") }
        if let e = evalEvery, e < 1 { throw bad("--eval-every must be at least 1") }
        guard blasThreads >= 1 else { throw bad("--blas-threads must be at least 1") }
        guard balance.xminPos >= 1 else { throw bad("--xmin-pos must be at least 1") }
        try balance.policy.validate()
    }
}
