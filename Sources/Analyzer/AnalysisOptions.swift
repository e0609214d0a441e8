import PowerLaw

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
    public var zeroThreshold: Double = 1e-5
    /// Layers with fewer or more eigenvalues are skipped (WeightWatcher: 8 and 15,000).
    public var minEvals: Int = 8
    public var maxEvals: Int = 15_000
    /// Layers whose larger dimension exceeds this are skipped (WeightWatcher: 50,000).
    public var maxN: Int = 50_000
    /// A regular expression; only layers whose name it matches are analysed.
    public var layers: String?
    /// Analyse embedding tables (on by default, as WeightWatcher does).
    public var includeEmbeddings: Bool = true
    /// Factor applied to the eigenvalues of conv2d layers (WeightWatcher's `conv2d_norm`).
    public var convNorm: Double = 0.5
    /// Reproduce the reference's `xmin_peak` lower-bound quirk.
    public var peakReferenceQuirk: Bool = false
    /// Worker threads across layers (BLAS runs single-threaded inside each).
    public var threads: Int = 2

    public init() {}

    enum CodingKeys: String, CodingKey {
        case fit, xminPos = "xmin_pos", filterZeros = "filter_zeros", zeroThreshold = "zero_threshold"
        case minEvals = "min_evals", maxEvals = "max_evals", maxN = "max_n", layers
        case includeEmbeddings = "include_embeddings", convNorm = "conv_norm"
        case peakReferenceQuirk = "peak_reference_quirk", threads
    }

    /// Checks the values; the message is an actionable sentence.
    public func validate() throws {
        func fail(_ m: String) -> AnalysisError { .invalidOption(m) }
        guard xminPos >= 1 else { throw fail("--xmin-pos must be at least 1 (2 = top half, 1.5 = top third)") }
        guard minEvals >= 2 else { throw fail("--min-evals must be at least 2 (a fit needs two eigenvalues)") }
        guard maxEvals >= minEvals else { throw fail("--max-evals must not be below --min-evals") }
        guard maxN >= 1 else { throw fail("--max-n must be positive") }
        guard convNorm > 0 else { throw fail("--conv-norm must be positive") }
        guard threads >= 1 else { throw fail("--threads must be at least 1") }
        guard zeroThreshold >= 0 else { throw fail("the zero threshold must not be negative") }
        if let pattern = layers {
            do { _ = try Regex(pattern) } catch { throw fail("--layers '\(pattern)' is not a valid regular expression") }
        }
    }
}

/// Errors of the analysis as a whole (a layer's own problems are in its `LayerStatus`).
public enum AnalysisError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    /// The analysis JSON cannot be used (wrong format or version, unreadable).
    case invalidAnalysisFile(file: String, problem: String)

    public var description: String {
        switch self {
        case let .invalidOption(m): return m
        case let .invalidAnalysisFile(file, problem): return "\(file): \(problem)"
        }
    }
}
