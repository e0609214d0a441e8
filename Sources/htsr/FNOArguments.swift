import ArgumentParser
import FNO
import Train

/// The options of one FNO run, shared by `htsr fno train` and `htsr fno experiment`.
struct FNOArguments: ParsableArguments {
    @Option(help: ArgumentHelp("PDEBench-layout HDF5 file (htsr data …, or PDEBench's own).", valueName: "FILE.h5"))
    var data: String

    @Option(help: "Frames the model sees (PDEBench initial_step; default 1 for Darcy, 10 otherwise).")
    var initialStep: Int?

    @Option(help: "Frames used in training (t_train; default all).")
    var tTrain: Int?

    @Option(help: "Keep every k-th sample of the training pool (reduced_batch).")
    var reducedBatch: Int = 1

    @Option(help: "Start the stride at this sample of the pool (0..<reduced-batch).")
    var poolOffset: Int = 0

    @Option(help: "Keep every k-th grid point per axis (reduced_resolution).")
    var reducedResolution: Int = 1

    @Option(help: "Keep every k-th frame (reduced_resolution_t).")
    var reducedResolutionT: Int = 1

    @Option(help: "Darcy: multiply the solution u by this factor (the solution for that multiple of the source; nRMSE unchanged).")
    var darcyScale: Float = 1

    @Option(help: "Test samples: the first N of the file (default 10 %).")
    var testSamples: Int?

    @Option(help: "Validation samples: the last N of the file (default 0).")
    var validationSamples: Int = 0

    @Option(help: "Channels of the Fourier layers.") var width: Int = 20
    @Option(help: "Retained Fourier modes per axis.") var modes: Int = 12
    @Option(help: "Fourier layers.") var layers: Int = 4
    @Option(help: "Zero padding per axis (default 2 for 2-D, 0 for 1-D).") var padding: Int?
    @Option(help: "Width of fc1.") var projection: Int = 128

    @Option(help: "Epochs.") var epochs: Int = 100
    @Option(help: "Mini-batch size.") var batchSize: Int = 20
    @Option(help: "Adam learning rate η.") var lr: Float = 1e-3
    @Option(help: "L2 weight decay added to the gradient (every tensor, as PyTorch's Adam).") var weightDecay: Float = 1e-4
    @Option(help: "StepLR: epochs between decays.") var stepSize: Int = 100
    @Option(help: "StepLR: decay factor.") var gamma: Float = 0.5

    @Option(help: "none, tempbalance, tempbalance-frozen (its first multipliers kept) or uniform.") var policy: PolicyMode = .none
    @Option(help: "uniform: the multiplier of the layers TempBalance would balance.") var uniformMultiplier: Double = 1
    @Option(help: "TempBalance sigmoid scale s (s_min = s_max = s).") var s: Double = 1
    @Option(help: "TempBalance sigmoid temperature τ.") var tau: Double = 10
    @Option(help: "Hill xmin position (2 = top half).") var xminPos: Double = 2
    @Flag(inversion: .prefixedNo, help: "Drop eigenvalues ≤ 1e-5 before fitting.") var filterZeros = true
    @Option(help: "A layer is balanced only with at least this many eigenvalues (reference: > 12).") var tbMinEvals: Int = 13
    @Option(help: "1×1 convolutions as: matrix, or row-norms (the reference code's reading).") var convAnalysis: ConvAnalysis = .matrix
    @Flag(help: "Balance the spectral layers too, by the pooled ESD of their per-mode complex weights.") var includeSpectral = false

    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Epochs between test/validation evaluations (default: a tenth of the run).") var evalEvery: Int?
    @Option(help: "BLAS threads for training.") var blasThreads: Int = 1

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
