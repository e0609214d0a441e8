import ArgumentParser
import Analyzer
import Checkpoint
import PowerLaw
import Spectrum

extension FitMethod: ExpressibleByArgument {}
extension FingersMethod: ExpressibleByArgument {}

/// The options that change the numbers of an analysis, shared by every command that analyses.
/// Defaults and ranges are `AnalysisOptions`'s own (`AnalysisOptions.Limits`).
struct AnalysisArguments: ParsableArguments {
    @OptionGroup var memory: MemoryArguments

    private typealias L = AnalysisOptions.Limits
    private static let defaults = AnalysisOptions()
    private static let farmsDefaults = FARMSSettings()

    @Option(help: "The fit behind the alpha/D/xmin columns and the warnings: hill, ks, peak or tpl (truncated power law, adds Lambda). Hill and KS are always both reported.")
    var fit: FitMethod = defaults.fit

    @Flag(help: "For spectra of fewer than 20 values, use WeightWatcher's small-n estimator in the KS fit (labelled 'small_n' in the estimator columns).")
    var smallNFit = false

    @Option(help: "Hill's xmin position: xmin = λ[⌊N / xmin-pos⌋] (2 = top half, 1.5 = top third); \(L.xminPos).")
    var xminPos: Double = defaults.xminPos

    @Flag(help: "Fit only eigenvalues above \(defaults.zeroThreshold) (all of them if none is).")
    var filterZeros = false

    @Option(help: "Skip layers with fewer eigenvalues; \(L.evals).")
    var minEvals: Int = defaults.minEvals

    @Option(help: "Skip layers with more eigenvalues; \(L.evals), at least --min-evals.")
    var maxEvals: Int = defaults.maxEvals

    @Option(help: "Skip layers whose larger dimension exceeds this; \(L.maxN).")
    var maxN: Int = defaults.maxN

    @Option(help: "Analyse only layers whose name matches this regular expression.")
    var layers: String?

    @Flag(inversion: .prefixedNo, help: "Analyse embedding tables.")
    var embeddings = defaults.includeEmbeddings

    @Option(help: "Factor applied to conv2d eigenvalues (WeightWatcher's conv2d_norm); \(L.convNorm).")
    var convNorm: Double = defaults.convNorm

    @Flag(help: "Reproduce the reference code's xmin_peak lower-bound quirk (compatibility).")
    var peakReferenceQuirk = false

    @Option(help: "Worker threads across layers (BLAS is single-threaded inside each); \(L.threads).")
    var threads: Int = defaultThreadCount

    @Flag(inversion: .prefixedNo, help: "Pool a convolution's kernel slices into one ESD (--no-pool: one row per slice, named name:slice).")
    var pool = defaults.pool

    @Flag(help: "Fit the Marchenko–Pastur law: num_spikes, sigma_mp, mp_softrank, bulk_min, bulk_max.")
    var mpFit = false

    @Flag(help: "Also analyse each layer with its entries shuffled: rand_distance, rand_density_distance, ww_softrank, ww_maxdist, rand_num_spikes (seeded by --seed).")
    var randomize = false

    @Option(help: "Seed of every random choice (the shuffles of --randomize); any 64-bit unsigned integer.")
    var seed: UInt64 = defaults.seed

    @Option(help: ArgumentHelp("Refine the KS fit against fingers (outlying top eigenvalues): clip-xmax (adds num_fingers, raw_alpha, clipped_alpha; with --fit ks, alpha is the clipped fit).", valueName: "method"))
    var fingers: FingersMethod?

    @Option(help: "With --fingers clip-xmax: clip at most max-fingers − 1 top eigenvalues; \(L.maxFingers) (default: \(defaults.maxFingers)).")
    var maxFingers: Int?

    @Flag(help: "Also fit FARMS spectra: eigenvalues pooled over fixed-aspect-ratio windows (farms_* columns).")
    var farms = false

    @Option(help: "FARMS: rows per window (capped by the matrix); \(L.farmsRows) (default: \(farmsDefaults.rows)).")
    var farmsRows: Int?

    @Option(help: "FARMS: columns per row of a window (the fixed aspect ratio); \(L.farmsQ) (default: \(farmsDefaults.q)).")
    var farmsQ: Double?

    @Option(help: "FARMS: window positions per dimension; \(L.farmsOps) (default: \(farmsDefaults.ops)).")
    var farmsOps: Int?

    @Option(help: ArgumentHelp("The layer order (layer_id, depth figures, policy): one parameter name per line, as 'for n, _ in model.named_parameters(): print(n)' prints. Default: config.json's family beside the checkpoint, else natural name order.", valueName: "FILE"))
    var order: String?

    /// The `--order FILE` order for `source`'s tensors; nil: the source's own forward order.
    func layerOrder(for source: TensorSource) throws -> LayerOrder? {
        try order.map { try LayerOrder.fromFile($0, tensorNames: source.descriptors.map(\.name)) }
    }

    var options: AnalysisOptions {
        var o = AnalysisOptions()
        o.fit = fit
        o.xminPos = xminPos
        o.filterZeros = filterZeros
        o.minEvals = minEvals
        o.maxEvals = maxEvals
        o.maxN = maxN
        o.layers = layers
        o.includeEmbeddings = embeddings
        o.convNorm = convNorm
        o.peakReferenceQuirk = peakReferenceQuirk
        o.threads = threads
        o.pool = pool
        o.smallNFit = smallNFit
        o.mpFit = mpFit
        o.randomize = randomize
        o.seed = seed
        o.fingers = fingers
        o.maxFingers = maxFingers ?? Self.defaults.maxFingers
        if farms {
            let d = Self.farmsDefaults
            o.farms = FARMSSettings(rows: farmsRows ?? d.rows, q: farmsQ ?? d.q, ops: farmsOps ?? d.ops)
        }
        return o
    }

    func validate() throws {
        if !farms && (farmsRows != nil || farmsQ != nil || farmsOps != nil) {
            throw ValidationError("--farms-rows, --farms-q and --farms-ops need --farms")
        }
        if fingers == nil && maxFingers != nil { throw ValidationError("--max-fingers needs --fingers clip-xmax") }
        try validated { try options.validate() }
    }
}

/// The number of CPU cores (at most the documented thread limit), the default worker count.
let defaultThreadCount = min(max(1, System.activeProcessorCount), AnalysisOptions.Limits.threads.upper)

import Foundation
enum System {
    static var activeProcessorCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
