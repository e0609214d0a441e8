import PowerLaw
import Spectrum

/// The Marchenko–Pastur fit of a layer (`--mp-fit`), or of its randomised ESD (`--randomize`).
public struct MPColumns: Sendable, Equatable {
    public var result: Result<MPFit, MPFitFailure>

    public init(_ result: Result<MPFit, MPFitFailure>) { self.result = result }

    /// For a layer that could not be analysed.
    static let unavailable = MPColumns(.failure(.emptySpectrum))

    public var fit: MPFit? { if case let .success(f) = result { return f } else { return nil } }

    /// WeightWatcher's columns (`num_spikes`, `sigma_mp`, `mp_softrank`, `W_scale`, `bulk_max`,
    /// `bulk_min`, each with `rand_` for the randomised ESD), then htsr's: the Tracy–Widom
    /// width, the spike threshold `x₊ + √TW` (ESD units), the law, the reference grid's σ, the
    /// objective's value at σ, status.
    func write(into row: inout Row, prefix p: String) {
        let f = fit
        row.set(p + "num_spikes", f.map { .int($0.numSpikes) } ?? .null)
        row.set(p + "sigma_mp", .number(f?.sigma))
        row.set(p + "mp_softrank", .number(f?.softrank))
        row.set(p + "W_scale", .number(f?.wScale))
        row.set(p + "bulk_max", .number(f?.bulkMax))
        row.set(p + "bulk_min", .number(f?.bulkMin))
        row.set(p + "tw_width", .number(f?.twWidth))
        row.set(p + "spike_threshold", .number(f?.spikeThreshold))
        row.set(p + "mp_law", f.map { .string($0.law.rawValue) } ?? .null)
        row.set(p + "sigma_mp_grid", .number(f?.gridSigma))
        row.set(p + "mp_objective", .number(f?.objective))
        row.set(p + "mp_status", .string(f == nil ? "failed" : "success"))
        if case let .failure(e) = result { row.set(p + "mp_reason", .string(e.description)) } else { row.set(p + "mp_reason", .null) }
    }

    /// Reads back what `write` wrote (nil when the row has no such columns).
    init?(row: Row, prefix p: String, Q: Double) {
        guard row[p + "sigma_mp"] != nil else { return nil }
        guard row[p + "mp_status"]?.stringValue == "success",
              let sigma = row[p + "sigma_mp"]?.doubleValue, let soft = row[p + "mp_softrank"]?.doubleValue,
              let scale = row[p + "W_scale"]?.doubleValue, let bmax = row[p + "bulk_max"]?.doubleValue,
              let bmin = row[p + "bulk_min"]?.doubleValue, let spikes = row[p + "num_spikes"]?.intValue else {
            let reason = row[p + "mp_reason"]?.stringValue ?? ""
            result = .failure(reason.hasPrefix("no sigma") ? .noAdmissibleSigma : reason.hasPrefix("the spectrum has") ? .nonFinite : .emptySpectrum)
            return
        }
        let law = row[p + "mp_law"]?.stringValue.flatMap(SpectralLaw.init(rawValue:)) ?? (Q == 1 ? .quarterCircle : .marchenkoPastur)
        result = .success(MPFit(law: law, Q: Q, sigma: sigma, wScale: scale, bulkMin: bmin, bulkMax: bmax,
                                twWidth: row[p + "tw_width"]?.doubleValue ?? 0,
                                spikeThreshold: row[p + "spike_threshold"]?.doubleValue ?? bmax,
                                numSpikes: spikes, softrank: soft,
                                gridSigma: row[p + "sigma_mp_grid"]?.doubleValue ?? sigma,
                                objective: row[p + "mp_objective"]?.doubleValue ?? 0))
    }
}

/// The comparison of a layer with its shuffled self (`--randomize`).
public struct RandomizationColumns: Sendable, Equatable {
    /// The layer's shuffle seed (`Randomization.layerSeed(seed, name:)`).
    public var seed: UInt64
    /// λmax of the randomised ESD (`max_rand_eval`).
    public var maxRandEval: Double?
    /// `max_rand_eval / λmax` (`ww_softrank`) and `λmax − max_rand_eval` (`ww_maxdist`).
    public var softrank: Double?
    public var maxDistance: Double?
    /// WeightWatcher's `rand_distance`: Jensen–Shannon distance of the sorted eigenvalue vectors.
    public var sortedVectorDistance: Double?
    /// htsr's `rand_density_distance`: Jensen–Shannon distance of the two log-ESD histograms.
    public var densityDistance: Double?
    /// The MP fit of the randomised ESD (`rand_num_spikes`, `rand_sigma_mp`, …).
    public var mp: MPColumns

    static func unavailable(seed: UInt64) -> RandomizationColumns {
        RandomizationColumns(seed: seed, maxRandEval: nil, softrank: nil, maxDistance: nil,
                             sortedVectorDistance: nil, densityDistance: nil, mp: .unavailable)
    }

    func write(into row: inout Row) {
        row.set("rand_seed", .string(String(seed)))
        row.set("max_rand_eval", .number(maxRandEval))
        row.set("ww_softrank", .number(softrank))
        row.set("ww_maxdist", .number(maxDistance))
        row.set("rand_distance", .number(sortedVectorDistance))
        row.set("rand_density_distance", .number(densityDistance))
        mp.write(into: &row, prefix: "rand_")
        // WeightWatcher's alias of rand_num_spikes.
        row.set("num_traps", mp.fit.map { .int($0.numSpikes) } ?? .null)
    }

    init(seed: UInt64, maxRandEval: Double?, softrank: Double?, maxDistance: Double?,
         sortedVectorDistance: Double?, densityDistance: Double?, mp: MPColumns) {
        self.seed = seed
        self.maxRandEval = maxRandEval
        self.softrank = softrank
        self.maxDistance = maxDistance
        self.sortedVectorDistance = sortedVectorDistance
        self.densityDistance = densityDistance
        self.mp = mp
    }

    init?(row: Row, Q: Double) {
        guard let seedText = row["rand_seed"]?.stringValue, let seed = UInt64(seedText) else { return nil }
        self.seed = seed
        maxRandEval = row["max_rand_eval"]?.doubleValue
        softrank = row["ww_softrank"]?.doubleValue
        maxDistance = row["ww_maxdist"]?.doubleValue
        sortedVectorDistance = row["rand_distance"]?.doubleValue
        densityDistance = row["rand_density_distance"]?.doubleValue
        mp = MPColumns(row: row, prefix: "rand_", Q: Q) ?? .unavailable
    }
}

/// `--fingers clip-xmax`: how many top values were clipped from the KS fit, its α before and
/// after. With `--fit ks` the clipped fit is also the layer's `alpha` (as in WeightWatcher).
public struct FingersColumns: Sendable, Equatable {
    public var method: FingersMethod
    public var numFingers: Int?
    /// α of the unclipped KS fit (`raw_alpha`).
    public var rawAlpha: Double?
    /// α of the clipped KS fit (`clipped_alpha`; equals `raw_alpha` when nothing was clipped).
    public var clippedAlpha: Double?

    func write(into row: inout Row) {
        row.set("fingers", .string(method.rawValue))
        row.set("num_fingers", numFingers.map { .int($0) } ?? .null)
        row.set("raw_alpha", .number(rawAlpha))
        row.set("clipped_alpha", .number(clippedAlpha))
    }

    init(method: FingersMethod, numFingers: Int?, rawAlpha: Double?, clippedAlpha: Double?) {
        self.method = method
        self.numFingers = numFingers
        self.rawAlpha = rawAlpha
        self.clippedAlpha = clippedAlpha
    }

    init?(row: Row) {
        guard let m = row["fingers"]?.stringValue.flatMap(FingersMethod.init(rawValue:)) else { return nil }
        method = m
        numFingers = row["num_fingers"]?.intValue
        rawAlpha = row["raw_alpha"]?.doubleValue
        clippedAlpha = row["clipped_alpha"]?.doubleValue
    }
}

/// `--farms`: the fits of the pooled spectrum of fixed-aspect-ratio windows.
public struct FARMSColumns: Sendable, Equatable {
    /// Window rows × columns and the number of windows (over all slices).
    public var windowRows: Int?
    public var windowCols: Int?
    public var windows: Int?
    /// The pooled spectrum's size.
    public var numEvals: Int?
    /// The `--fit` choice on the pooled spectrum (`farms_alpha`, `farms_D`, …).
    public var fit: FitColumns
    /// Hill and KS α on the pooled spectrum.
    public var hillAlpha: Double?
    public var ksAlpha: Double?

    static let unavailable = FARMSColumns(windowRows: nil, windowCols: nil, windows: nil, numEvals: nil,
                                          fit: .unavailable, hillAlpha: nil, ksAlpha: nil)

    func write(into row: inout Row) {
        row.set("farms_window", windowRows.flatMap { r in windowCols.map { .ints([r, $0]) } } ?? .null)
        row.set("farms_windows", windows.map { .int($0) } ?? .null)
        row.set("farms_num_evals", numEvals.map { .int($0) } ?? .null)
        fit.write(into: &row, prefix: "farms_")
        row.set("farms_hill_alpha", .number(hillAlpha))
        row.set("farms_ks_alpha", .number(ksAlpha))
    }

    init(windowRows: Int?, windowCols: Int?, windows: Int?, numEvals: Int?, fit: FitColumns,
         hillAlpha: Double?, ksAlpha: Double?) {
        self.windowRows = windowRows
        self.windowCols = windowCols
        self.windows = windows
        self.numEvals = numEvals
        self.fit = fit
        self.hillAlpha = hillAlpha
        self.ksAlpha = ksAlpha
    }

    init?(row: Row, method: FitMethod) throws {
        guard row["farms_windows"] != nil else { return nil }
        if case let .ints(w)? = row["farms_window"], w.count == 2 { windowRows = w[0]; windowCols = w[1] }
        windows = row["farms_windows"]?.intValue
        numEvals = row["farms_num_evals"]?.intValue
        fit = try FitColumns(row: row, prefix: "farms_", method: method)
        hillAlpha = row["farms_hill_alpha"]?.doubleValue
        ksAlpha = row["farms_ks_alpha"]?.doubleValue
    }
}
