import ArgumentParser
import Train

/// The options of one training run, shared by `htsr train` and `htsr experiment`.
struct TrainArguments: ParsableArguments {
    @Option(help: "The model (mlp).")
    var model: String = "mlp"

    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden: String = "256,256,256,256"

    @Option(help: "Hidden activation: relu or gelu.")
    var activation: Activation = .relu

    @Flag(help: "LayerNorm after each hidden Linear (ln1, ln2, …).")
    var layerNorm = false

    @Option(help: "Dropout probability after each hidden activation.")
    var dropout: Double = 0

    @Option(help: "Data set: digits, mnist5k or fashion.")
    var data: DataSetKind = .digits

    @Option(help: "Folder holding the data sets (Scripts/setup fills .cache/data).")
    var dataDir: String = ".cache/data"

    @Option(help: "Train on this fraction of the training pool (per class, seeded).")
    var trainRatio: Double?

    @Option(help: "Train on K examples per class (seeded).")
    var perClass: Int?

    @Option(help: "Hold out the last K examples of each class of the training pool as a validation split (fixed; 0 = none).")
    var validationPerClass: Int = 0

    @Option(help: "Epochs (ignored when --steps is given).")
    var epochs: Int = 10

    @Option(help: "Total optimizer steps.")
    var steps: Int?

    @Option(help: "Mini-batch size.")
    var batchSize: Int = 32

    @Option(help: "sgd, adam (L2 added to the gradient) or adamw (decoupled weight decay).")
    var optimizer: OptimizerKind = .sgd

    @Option(help: "The global (peak) learning rate η.")
    var lr: Float = 0.01

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "Weight decay (weights only, not biases or norms).")
    var weightDecay: Float = 0

    @Option(help: "Learning-rate schedule: constant, cosine, step or linear (warmup then linear decay).")
    var schedule: ScheduleKind = .cosine

    @Option(help: "linear: warmup steps as a fraction of all steps.")
    var warmupRatio: Double = 0

    @Option(help: "step: steps between decays.")
    var stepSize: Int = 1000

    @Option(help: "step: decay factor.")
    var gamma: Float = 0.5

    @Option(help: "Clip gradients to this global norm.")
    var clip: Float?

    @Option(help: "none, tempbalance, tempbalance-frozen (its first multipliers kept) or uniform (--uniform-multiplier on the layers it balances).")
    var policy: PolicyMode = .none

    @Option(help: "uniform: the multiplier of the layers TempBalance would balance.")
    var uniformMultiplier: Double = 1

    @OptionGroup var policyArguments: PolicyArguments

    @OptionGroup var loop: BalanceLoopArguments

    @Option(help: "Hill's xmin position for the in-loop fits (2 = top half, 1.5 = top third).")
    var xminPos: Double = 2

    @Flag(help: "Fit only eigenvalues above 1e-5 in the loop.")
    var filterZeros = false

    @Option(help: "Random seed (initialisation, data subset and order, dropout).")
    var seed: UInt64 = 0

    @Option(help: "Steps between log lines (default: one epoch).")
    var logEvery: Int?


    func config(out: String) throws -> TrainConfig {
        var c = TrainConfig()
        c.model = model
        let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden must be positive integers separated by commas, e.g. 256,256,256,256; got '\(hidden)'")
        }
        c.hidden = widths.map { $0! }
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
        try validated(c.validate)
        return c
    }
}

import Foundation
