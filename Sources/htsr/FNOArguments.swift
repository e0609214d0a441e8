import ArgumentParser
import FNO
import PowerLaw
import Train

/// The options of one FNO run, shared by `htsr fno train` and `htsr fno experiment`.
struct FNOArguments: ParsableArguments {
    @OptionGroup var memory: MemoryArguments

    private typealias L = FNOTrainConfig.Limits
    private static let defaults = FNOTrainConfig()
    /// The run's settings named otherwise on the command line.
    static let flagNames = FlagNames(overrides: ["s_min": "--s", "s_max": "--s", "min_evals": "--tb-min-evals"])

    @Option(help: ArgumentHelp("PDEBench-layout HDF5 file (htsr data …, or PDEBench's own).", valueName: "FILE.h5"))
    var data: String

    @Option(help: "Frames the model sees (PDEBench initial_step; default 1 for Darcy, 10 otherwise); \(L.frames).")
    var initialStep: Int?

    @Option(help: "Frames used in training (t_train; default all); [2, \(L.frames.upper)], above --initial-step.")
    var tTrain: Int?

    @Option(help: "Keep every k-th sample of the training pool (reduced_batch); \(L.count).")
    var reducedBatch: Int = defaults.reducedBatch

    @Option(help: "Start the stride at this sample of the pool; \(L.poolOffset), below --reduced-batch.")
    var poolOffset: Int = defaults.poolOffset

    @Option(help: "Keep every k-th grid point per axis (reduced_resolution); \(L.count).")
    var reducedResolution: Int = defaults.reducedResolution

    @Option(help: "Keep every k-th frame (reduced_resolution_t); \(L.count).")
    var reducedResolutionT: Int = defaults.reducedResolutionT

    @Option(help: "Darcy: multiply the solution u by this factor (the solution for that multiple of the source; nRMSE unchanged); \(L.darcyScale).")
    var darcyScale: Float = defaults.darcyScale

    @Option(help: "Test samples: the first N of the file (default 10 %); \(L.count).")
    var testSamples: Int?

    @Option(help: "Validation samples: the last N of the file; \(L.validationSamples).")
    var validationSamples: Int = defaults.validationSamples

    @Option(help: "Channels of the Fourier layers; \(L.width).") var width: Int = defaults.width
    @Option(help: "Retained Fourier modes per axis; \(L.modes), and at most half the padded grid.") var modes: Int = defaults.modes
    @Option(help: "Fourier layers; \(L.layers).") var layers: Int = defaults.layers
    @Option(help: "Zero padding per axis (default 2 for 2-D, 0 for 1-D); \(L.padding).") var padding: Int?
    @Option(help: "Width of fc1; \(L.projection).") var projection: Int = defaults.projection

    @Option(help: "Epochs; \(L.epochs).") var epochs: Int = defaults.epochs
    @Option(help: "Mini-batch size; \(L.batchSize).") var batchSize: Int = defaults.batchSize
    @Option(help: "Adam learning rate η; \(L.lr).") var lr: Float = defaults.lr
    @Option(help: "L2 weight decay added to the gradient (every tensor, as PyTorch's Adam); \(L.weightDecay).") var weightDecay: Float = defaults.weightDecay
    @Option(help: "StepLR: epochs between decays; \(L.count).") var stepSize: Int = defaults.stepSize
    @Option(help: "StepLR: decay factor; \(L.gamma).") var gamma: Float = defaults.gamma

    @Option(help: "none, tempbalance, tempbalance-frozen (its first multipliers kept) or uniform.") var policy: PolicyMode = defaults.policy
    @Option(help: "uniform: the multiplier of the layers TempBalance would balance; \(PolicyOptions.Limits.uniformMultiplier).")
    var uniformMultiplier: Double = defaults.uniformMultiplier
    @Option(help: "TempBalance sigmoid scale s (s_min = s_max = s); \(PolicyOptions.Limits.scale).") var s: Double = defaults.balance.policy.sMax
    @Option(help: "TempBalance sigmoid temperature τ; \(PolicyOptions.Limits.tau).") var tau: Double = defaults.balance.policy.tau
    @Option(help: "Hill xmin position (2 = top half); \(Hill.xminPosRange).") var xminPos: Double = defaults.balance.xminPos
    @Flag(inversion: .prefixedNo, help: "Drop eigenvalues ≤ \(ZeroFilter.referenceThreshold) before fitting.") var filterZeros = defaults.balance.filterZeros
    @Option(help: "A layer is balanced only with at least this many eigenvalues (reference: > 12); \(PolicyOptions.Limits.minEvals).")
    var tbMinEvals: Int = defaults.balance.policy.minEvals
    @Option(help: "1×1 convolutions as: matrix, or row-norms (the reference code's reading).") var convAnalysis: ConvAnalysis = defaults.balance.convAnalysis
    @Flag(help: "Balance the spectral layers too, by the pooled ESD of their per-mode complex weights.") var includeSpectral = false

    @Option(help: "Seed; any 64-bit unsigned integer.") var seed: UInt64 = defaults.seed
    @Option(help: "Epochs between test/validation evaluations (default: a tenth of the run); \(L.epochs).") var evalEvery: Int?
    @Option(help: "BLAS threads for training; \(L.threads).") var blasThreads: Int = defaults.blasThreads

    func config(out: String) -> FNOTrainConfig {
        var c = FNOTrainConfig()
        c.data = data; c.initialStep = initialStep; c.tTrain = tTrain; c.reducedBatch = reducedBatch
        c.poolOffset = poolOffset
        c.reducedResolution = reducedResolution; c.reducedResolutionT = reducedResolutionT
        c.darcyScale = darcyScale; c.testSamples = testSamples; c.validationSamples = validationSamples
        c.width = width; c.modes = modes; c.layers = layers; c.padding = padding; c.projection = projection
        c.epochs = epochs; c.batchSize = batchSize; c.lr = lr; c.weightDecay = weightDecay; c.stepSize = stepSize; c.gamma = gamma
        c.policy = policy
        c.uniformMultiplier = uniformMultiplier
        var b = FNOBalanceOptions(s: s)
        b.policy.tau = tau; b.policy.minEvals = tbMinEvals
        b.xminPos = xminPos; b.filterZeros = filterZeros; b.convAnalysis = convAnalysis; b.includeSpectral = includeSpectral
        c.balance = b
        c.seed = seed; c.evalEvery = evalEvery; c.blasThreads = blasThreads; c.out = out
        return c
    }
}

extension ConvAnalysis: ExpressibleByArgument {}
