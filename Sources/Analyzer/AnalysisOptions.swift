import PowerLaw
import Settings
import Spectrum

/// How to treat "fingers" (outlying top eigenvalues) in the KS fit.
public enum FingersMethod: String, Sendable, Codable, CaseIterable {
    /// WeightWatcher's `clip_xmax`: refit without the top values (see `ClipXmax`).
    case clipXmax = "clip-xmax"
}

/// Everything that changes the numbers of an analysis; stored in the output so a run can be
/// reproduced.
public struct AnalysisOptions: Sendable, Codable, Equatable {
    /// The fit behind the WeightWatcher-named columns (`alpha`, `D`, `xmin`, …) and the warnings.
    /// Hill and KS are always computed and reported as `hill_*` and `ks_*`.
    public var fit: FitMethod = .ks
    /// Hill's xmin position: `xmin = λ[⌊N / xminPos⌋]` (2 = top half, 1.5 = top third).
    public var xminPos: Double = 2
    /// Fit only eigenvalues above `zeroThreshold` (all of them if none is).
    public var filterZeros: Bool = false
    public var zeroThreshold: Double = ZeroFilter.referenceThreshold
    /// Layers with fewer or more eigenvalues are skipped (WeightWatcher: 8 and 15,000).
    public var minEvals: Int = 8
    public var maxEvals: Int = 15_000
    /// Layers whose larger dimension exceeds this are skipped (WeightWatcher: 50,000).
    public var maxN: Int = 50_000
    /// A regular expression (the `NamePattern` subset, matched in linear time); only layers
    /// whose name it matches somewhere are analysed.
    public var layers: String?
    /// Analyse embedding tables (on by default, as WeightWatcher does).
    public var includeEmbeddings: Bool = true
    /// Factor applied to the eigenvalues of conv2d layers (WeightWatcher's `conv2d_norm`).
    public var convNorm: Double = 0.5
    /// Reproduce the reference's `xmin_peak` lower-bound quirk.
    public var peakReferenceQuirk: Bool = false
    /// Worker threads across layers (BLAS runs single-threaded inside each).
    public var threads: Int = 2
    /// Pool the slices of a convolution into one ESD (else one row per slice, `name:slice`).
    public var pool: Bool = true
    /// Use WeightWatcher's small-sample estimator for the KS fit of spectra with fewer than
    /// 20 values (`SmallNFit`); the fit is labelled `small_n`.
    public var smallNFit: Bool = false
    /// Fit the Marchenko–Pastur law (`MPFitter`): num_spikes, sigma_mp, mp_softrank, bulk edges.
    public var mpFit: Bool = false
    /// Analyse each layer with its entries shuffled too (`Randomization`), seeded by `seed`.
    public var randomize: Bool = false
    /// The seed of every random choice (per layer: `Randomization.layerSeed(seed, name:)`).
    public var seed: UInt64 = 0
    /// Clip fingers from the KS fit (`ClipXmax`); with `fit == .ks` the clipped fit is `alpha`.
    public var fingers: FingersMethod?
    /// `max_fingers`: clip 2 … maxFingers − 1 top values at most.
    public var maxFingers: Int = 10
    /// Also fit the FARMS spectrum (fixed-aspect-ratio windows) with these settings.
    public var farms: FARMSSettings?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case fit, xminPos = "xmin_pos", filterZeros = "filter_zeros", zeroThreshold = "zero_threshold"
        case minEvals = "min_evals", maxEvals = "max_evals", maxN = "max_n", layers
        case includeEmbeddings = "include_embeddings", convNorm = "conv_norm"
        case peakReferenceQuirk = "peak_reference_quirk", threads
        case pool, smallNFit = "small_n_fit", mpFit = "mp_fit", randomize, seed, fingers
        case maxFingers = "max_fingers", farms
    }

    /// Reads options written by any version-1 htsr: options added later take their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AnalysisOptions()
        fit = try c.decodeIfPresent(FitMethod.self, forKey: .fit) ?? d.fit
        xminPos = try c.decodeIfPresent(Double.self, forKey: .xminPos) ?? d.xminPos
        filterZeros = try c.decodeIfPresent(Bool.self, forKey: .filterZeros) ?? d.filterZeros
        zeroThreshold = try c.decodeIfPresent(Double.self, forKey: .zeroThreshold) ?? d.zeroThreshold
        minEvals = try c.decodeIfPresent(Int.self, forKey: .minEvals) ?? d.minEvals
        maxEvals = try c.decodeIfPresent(Int.self, forKey: .maxEvals) ?? d.maxEvals
        maxN = try c.decodeIfPresent(Int.self, forKey: .maxN) ?? d.maxN
        layers = try c.decodeIfPresent(String.self, forKey: .layers)
        includeEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .includeEmbeddings) ?? d.includeEmbeddings
        convNorm = try c.decodeIfPresent(Double.self, forKey: .convNorm) ?? d.convNorm
        peakReferenceQuirk = try c.decodeIfPresent(Bool.self, forKey: .peakReferenceQuirk) ?? d.peakReferenceQuirk
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
        pool = try c.decodeIfPresent(Bool.self, forKey: .pool) ?? d.pool
        smallNFit = try c.decodeIfPresent(Bool.self, forKey: .smallNFit) ?? d.smallNFit
        mpFit = try c.decodeIfPresent(Bool.self, forKey: .mpFit) ?? d.mpFit
        randomize = try c.decodeIfPresent(Bool.self, forKey: .randomize) ?? d.randomize
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        fingers = try c.decodeIfPresent(FingersMethod.self, forKey: .fingers)
        maxFingers = try c.decodeIfPresent(Int.self, forKey: .maxFingers) ?? d.maxFingers
        farms = try c.decodeIfPresent(FARMSSettings.self, forKey: .farms)
    }

    /// Whether the analysis needs every layer's weights whole (not streamed in row blocks).
    var needsWholeMatrix: Bool { randomize || farms != nil }

    /// The documented range of every numeric option (`docs/analyze.md`), checked by `validate()`.
    public enum Limits {
        public static let xminPos = Hill.xminPosRange
        public static let evals = SettingRange<Int>(2, 1_000_000_000)
        public static let maxN = SettingRange<Int>(1, 1_000_000_000)
        public static let convNorm = SettingRange<Double>.positive(upTo: 1e6)
        public static let threads = SettingRange<Int>(1, 1024)
        public static let zeroThreshold = SettingRange<Double>(0, 1e6)
        public static let maxFingers = SettingRange<Int>(3, 1_000_000)
        public static let farmsRows = SettingRange<Int>(1, 1_000_000_000)
        public static let farmsQ = SettingRange<Double>.positive(upTo: 1e6)
        public static let farmsOps = SettingRange<Int>(1, 1_000_000)
    }

    /// Checks every value against `Limits` (NaN and ±∞ included) and the layer pattern.
    /// - Throws: `InvalidSetting` naming the setting by its JSON key (`xmin_pos`, `farms.rows`).
    public func validate() throws {
        try Limits.xminPos.check(xminPos, "xmin_pos")
        try Limits.evals.check(minEvals, "min_evals")
        try Limits.evals.check(maxEvals, "max_evals")
        try InvalidSetting.require(maxEvals >= minEvals, "max_evals", maxEvals, "at least min_evals (\(minEvals))", related: ["min_evals"])
        try Limits.maxN.check(maxN, "max_n")
        try Limits.convNorm.check(convNorm, "conv_norm")
        try Limits.threads.check(threads, "threads")
        try Limits.zeroThreshold.check(zeroThreshold, "zero_threshold")
        try Limits.maxFingers.check(maxFingers, "max_fingers")
        if let f = farms {
            try Limits.farmsRows.check(f.rows, "farms.rows")
            try Limits.farmsQ.check(f.q, "farms.q")
            try Limits.farmsOps.check(f.ops, "farms.ops")
        }
        if let pattern = layers {
            do { _ = try NamePattern(pattern) } catch let e as NamePatternError {
                throw InvalidSetting(field: "layers", value: "'\(pattern)'", requirement: "a supported regular expression (\(e))")
            }
        }
    }
}

/// Errors of the analysis as a whole (a layer's own problems are in its `LayerStatus`).
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    /// The options do not work together in a way no single setting explains (a setting out of
    /// its range is an `InvalidSetting`).
    case invalidOption(String)
    /// The analysis JSON cannot be used (wrong format or version, unreadable).
    case invalidAnalysisFile(file: String, problem: String)
    /// `--base`: a layer has different shapes in the model and the base.
    case baseShapeMismatch(base: String, layer: String, modelShape: [Int], baseShape: [Int])
    /// `--base`: the base has no tensor of that name.
    case missingBaseTensor(base: String, layer: String)
    /// A LoRA adapter (its tensors or its `adapter_config.json`) cannot be used.
    case invalidAdapter(file: String, problem: String)
    /// `htsr compare`: the metric is not a column of the analysis.
    case unknownMetric(file: String, metric: String, known: [String])

    public var description: String {
        switch self {
        case let .invalidOption(m): return m
        case let .invalidAnalysisFile(file, problem): return "\(file): \(problem)"
        case let .baseShapeMismatch(base, layer, modelShape, baseShape):
            return "\(base): layer '\(layer)' has shape \(shapeText(baseShape)) in the base but \(shapeText(modelShape)) in the model; --base needs checkpoints of the same architecture"
        case let .missingBaseTensor(base, layer): return "\(base): no tensor named '\(layer)'"
        case let .invalidAdapter(file, problem): return "\(file): \(problem)"
        case let .unknownMetric(file, metric, known):
            return "\(file): no column '\(metric)' in its layers (columns include \(known.prefix(12).joined(separator: ", ")))"
        }
    }
}

/// `64x32` for the shape [64, 32].
func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }
