import ArgumentParser
import Train

extension PolicyScheme: ExpressibleByArgument {}
extension PolicyUnit: ExpressibleByArgument {}
extension PolicyMode: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension DataSetKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension BalanceInterval: ExpressibleByArgument {}

/// The TempBalance policy options, shared by `htsr policy`, `htsr train` and `htsr experiment`.
struct PolicyArguments: ParsableArguments {
    @Option(help: "linear (tb_linear_map: interp α→[lr-min-ratio, lr-max-ratio]) or sigmoid (Model Balancing).")
    var scheme: PolicyScheme = .sigmoid

    @Option(help: "block (one rate per '.<int>.' block, its mean α) or layer (default: layer; finetune: block).")
    var unit: PolicyUnit?

    @Option(help: "The analyzer column used as the metric (PL_Alpha_Hill = hill_alpha).")
    var metric: String = "PL_Alpha_Hill"

    @Option(help: "linear: the multiplier of the lowest α.")
    var lrMinRatio: Double = 0.5

    @Option(help: "linear: the multiplier of the highest α.")
    var lrMaxRatio: Double = 1.5

    @Option(help: "sigmoid: the scale below or at the mean (f = s·(σ(τ·d) − ½), lr = η·10^f).")
    var sMin: Double = 1

    @Option(help: "sigmoid: the scale above the mean.")
    var sMax: Double = 1

    @Option(help: "sigmoid: the temperature τ.")
    var tau: Double = 10

    @Flag(help: "Balance the first layer too (the reference excludes it).")
    var keepFirst = false

    @Flag(help: "Balance the last layer too (the reference excludes it).")
    var keepLast = false

    @Option(help: "Exclude layers with fewer eigenvalues (the reference: 50).")
    var policyMinEvals: Int = 50

    @Flag(help: "LayerNorm/BatchNorm keep the global rate instead of following their block or layer.")
    var normsGlobal = false

    var options: PolicyOptions { options(defaultUnit: .layer) }

    /// The options, with `defaultUnit` when --unit is not given.
    func options(defaultUnit: PolicyUnit) -> PolicyOptions {
        var o = PolicyOptions()
        o.scheme = scheme
        o.unit = unit ?? defaultUnit
        o.metric = metric
        o.lrMinRatio = lrMinRatio
        o.lrMaxRatio = lrMaxRatio
        o.sMin = sMin
        o.sMax = sMax
        o.tau = tau
        o.dropFirst = !keepFirst
        o.dropLast = !keepLast
        o.minEvals = policyMinEvals
        o.normsFollow = !normsGlobal
        return o
    }

    func validate() throws {
        try validated(options.validate)
    }
}

/// When TempBalance recomputes in a training loop, and the threads training and analysis use;
/// shared by `htsr train`, `htsr experiment` and `htsr finetune`.
struct BalanceLoopArguments: ParsableArguments {
    @Option(help: "When TempBalance recomputes the spectra: auto (every min(100, max(1, batches/10)) steps), epoch, or a step count.")
    var balanceEvery: BalanceInterval = .auto

    @Option(help: "Apply each recomputation this many steps later than the reference does, computing it on another core meanwhile (0 = the reference's timing; needs --blas-threads 1).")
    var balanceLag: Int = 0

    @Option(help: "BLAS threads for the training matmuls.")
    var blasThreads: Int = 1

    @Option(help: "Worker threads for the in-loop spectrum analysis.")
    var analysisThreads: Int = 1
}
