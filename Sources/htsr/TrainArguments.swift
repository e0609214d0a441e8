import ArgumentParser
import PowerLaw
import Train

/// The options of one training run, shared by `htsr train` and `htsr experiment`.
/// Defaults and ranges are `TrainConfig`'s own (`TrainConfig.Limits`).
struct TrainArguments: ParsableArguments {
    @OptionGroup var memory: MemoryArguments

    private typealias L = TrainConfig.Limits
    private static let defaults = TrainConfig()
    /// The run's settings named otherwise on the command line (the policy's included).
    static let flagNames = PolicyArguments.flagNames

    @Option(help: "The model (mlp).")
    var model: String = defaults.model

    @Option(help: "Hidden layer widths, comma-separated: \(L.hiddenLayers.lower) to \(L.hiddenLayers.upper) widths, each \(L.width).")
    var hidden: String = defaults.hidden.map(String.init).joined(separator: ",")

    @Option(help: "Hidden activation: relu or gelu.")
    var activation: Activation = defaults.activation

    @Flag(help: "LayerNorm after each hidden Linear (ln1, ln2, …).")
    var layerNorm = false

    @Option(help: "Dropout probability after each hidden activation; \(L.dropout).")
    var dropout: Double = defaults.dropout

    @Option(help: "Data set: digits, mnist5k or fashion.")
    var data: DataSetKind = defaults.data

    @Option(help: "Folder holding the data sets (Scripts/setup fills .cache/data).")
    var dataDir: String = defaults.dataDir

    @Option(help: "Train on this fraction of the training pool (per class, seeded); \(L.trainRatio).")
    var trainRatio: Double?

    @Option(help: "Train on K examples per class (seeded); \(L.count).")
    var perClass: Int?

    @Option(help: "Hold out the last K examples of each class of the training pool as a validation split (fixed; 0 = none); \(L.validationPerClass).")
    var validationPerClass: Int = defaults.validationPerClass

    @Option(help: "Epochs (ignored when --steps is given); \(L.epochs).")
    var epochs: Int = defaults.epochs

    @Option(help: "Total optimizer steps; \(L.count).")
    var steps: Int?

    @Option(help: "Mini-batch size; \(L.batchSize).")
    var batchSize: Int = defaults.batchSize

    @Option(help: "sgd, adam (L2 added to the gradient) or adamw (decoupled weight decay).")
    var optimizer: OptimizerKind = defaults.optimizer.kind

    @Option(help: "The global (peak) learning rate η; \(L.lr).")
    var lr: Float = defaults.lr

    @Option(help: "SGD momentum; \(L.momentum).")
    var momentum: Float = defaults.optimizer.momentum

    @Option(help: "Weight decay (weights only, not biases or norms); \(L.weightDecay).")
    var weightDecay: Float = defaults.optimizer.weightDecay

    @Option(help: "Learning-rate schedule: constant, cosine, step or linear (warmup then linear decay).")
    var schedule: ScheduleKind = defaults.schedule

    @Option(help: "linear: warmup steps as a fraction of all steps; \(L.warmupRatio).")
    var warmupRatio: Double = defaults.warmupRatio

    @Option(help: "step: steps between decays; \(L.count).")
    var stepSize: Int = defaults.stepSize

    @Option(help: "step: decay factor; \(L.gamma).")
    var gamma: Float = defaults.gamma

    @Option(help: "Clip gradients to this global norm; \(L.clip).")
    var clip: Float?

    @Option(help: "none, tempbalance, tempbalance-frozen (its first multipliers kept) or uniform (--uniform-multiplier on the layers it balances).")
    var policy: PolicyMode = defaults.policy

    @Option(help: "uniform: the multiplier of the layers TempBalance would balance; \(PolicyOptions.Limits.uniformMultiplier).")
    var uniformMultiplier: Double = defaults.uniformMultiplier

    @OptionGroup var policyArguments: PolicyArguments

    @OptionGroup var loop: BalanceLoopArguments

    @Option(help: "Hill's xmin position for the in-loop fits (2 = top half, 1.5 = top third); \(Hill.xminPosRange).")
    var xminPos: Double = defaults.xminPos

    @Flag(help: "Fit only eigenvalues above \(ZeroFilter.referenceThreshold) in the loop.")
    var filterZeros = false

    @Option(help: "Random seed (initialisation, data subset and order, dropout); any 64-bit unsigned integer.")
    var seed: UInt64 = defaults.seed

    @Option(help: "Steps between log lines (default: one epoch); \(L.count).")
    var logEvery: Int?


    func config(out: String) throws -> TrainConfig {
        var c = TrainConfig()
        c.model = model
        c.hidden = try commaSeparated(hidden, option: "hidden") { Int($0) }
        c.activation = activation
        c.layerNorm = layerNorm
        c.dropout = dropout
        c.data = data
        c.dataDir = dataDir
        c.trainRatio = trainRatio
        c.perClass = perClass
        c.validationPerClass = validationPerClass
        c.epochs = epochs
        c.steps = steps
        c.batchSize = batchSize
        var o = OptimizerSettings(kind: optimizer)
        o.momentum = momentum
        o.weightDecay = weightDecay
        c.optimizer = o
        c.lr = lr
        c.schedule = schedule
        c.warmupRatio = warmupRatio
        c.stepSize = stepSize
        c.gamma = gamma
        c.clip = clip
        c.policy = policy
        c.policyOptions = policyArguments.options
        c.uniformMultiplier = uniformMultiplier
        c.balanceEvery = loop.balanceEvery
        c.balanceLag = loop.balanceLag
        c.xminPos = xminPos
        c.filterZeros = filterZeros
        c.seed = seed
        c.out = out
        c.logEvery = logEvery
        c.blasThreads = loop.blasThreads
        c.analysisThreads = loop.analysisThreads
        try validated(Self.flagNames) { try c.validate() }
        return c
    }
}
