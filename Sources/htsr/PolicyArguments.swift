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
/// Defaults and ranges are `PolicyOptions`'s own.
struct PolicyArguments: ParsableArguments {
    private typealias L = PolicyOptions.Limits
    private static let defaults = PolicyOptions()
    /// The policy's settings named otherwise on the command line.
    static let flagNames = FlagNames(overrides: ["min_evals": "--policy-min-evals"])

    @Option(help: "linear (tb_linear_map: interp α→[lr-min-ratio, lr-max-ratio]) or sigmoid (Model Balancing).")
    var scheme: PolicyScheme = defaults.scheme

    @Option(help: "block (one rate per '.<int>.' block, its mean α) or layer (default: layer; finetune: block).")
    var unit: PolicyUnit?

    @Option(help: "The analyzer column used as the metric (PL_Alpha_Hill = hill_alpha).")
    var metric: String = defaults.metric

    @Option(help: "linear: the multiplier of the lowest α; \(L.lrRatio).")
    var lrMinRatio: Double = defaults.lrMinRatio

    @Option(help: "linear: the multiplier of the highest α; \(L.lrRatio), at least --lr-min-ratio.")
    var lrMaxRatio: Double = defaults.lrMaxRatio

    @Option(help: "sigmoid: the scale below or at the mean (f = s·(σ(τ·d) − ½), lr = η·10^f); \(L.scale).")
    var sMin: Double = defaults.sMin

    @Option(help: "sigmoid: the scale above the mean; \(L.scale).")
    var sMax: Double = defaults.sMax

    @Option(help: "sigmoid: the temperature τ; \(L.tau).")
    var tau: Double = defaults.tau

    @Flag(help: "Balance the first layer too (the reference excludes it).")
    var keepFirst = false

    @Flag(help: "Balance the last layer too (the reference excludes it).")
    var keepLast = false

    @Option(help: "Exclude layers with fewer eigenvalues (the reference: 50); \(L.minEvals).")
    var policyMinEvals: Int = defaults.minEvals

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
        try validated(Self.flagNames) { try options.validate() }
    }
}

/// When TempBalance recomputes in a training loop, and the threads training and analysis use;
/// shared by `htsr train`, `htsr experiment` and `htsr finetune`. Defaults and ranges are
/// `TrainConfig`'s own (the fine-tuner's are the same).
struct BalanceLoopArguments: ParsableArguments {
    private typealias L = TrainConfig.Limits
    private static let defaults = TrainConfig()

    @Option(help: "When TempBalance recomputes the spectra: auto (every min(100, max(1, batches/10)) steps), epoch, or a step count in \(L.count).")
    var balanceEvery: BalanceInterval = defaults.balanceEvery

    @Option(help: "Apply each recomputation this many steps later than the reference does, computing it on another core meanwhile (0 = the reference's timing; needs --blas-threads 1); \(L.balanceLag), below the recomputation interval.")
    var balanceLag: Int = defaults.balanceLag

    @Option(help: "BLAS threads for the training matmuls; \(L.threads).")
    var blasThreads: Int = defaults.blasThreads

    @Option(help: "Worker threads for the in-loop spectrum analysis; \(L.threads).")
    var analysisThreads: Int = defaults.analysisThreads
}
