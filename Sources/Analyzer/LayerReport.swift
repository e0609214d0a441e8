import Checkpoint
import PowerLaw
import Spectrum
#if canImport(Glibc)
import Glibc
#endif

/// A layer's quality warning from its α.
public enum LayerWarning: String, Sendable, Codable, Equatable {
    case none = ""
    /// α < 2: heavier-tailed than well-trained layers (WeightWatcher's "over-trained").
    case overTrained = "over-trained"
    /// α > 6: close to random ("under-trained").
    case underTrained = "under-trained"
    /// The fit did not succeed; never counted as over-trained.
    case failed

    public init(_ result: FitResult) {
        switch result {
        case .failure: self = .failed
        case let .success(fit):
            if fit.alpha < 2 { self = .overTrained } else if fit.alpha > 6 { self = .underTrained } else { self = .none }
        }
    }
}

/// One fit of a layer with the quantities derived from it.
public struct FitColumns: Sendable, Equatable {
    public var result: FitResult
    /// α · log10 λmax (WeightWatcher's `alpha_weighted`, TempBalance's alphahat).
    public var alphaWeighted: Double?
    /// log10 Σ λ^α.
    public var logAlphaNorm: Double?
    public var warning: LayerWarning

    public init(_ result: FitResult, eigenvalues: [Double]) {
        self.result = result
        warning = LayerWarning(result)
        if let fit = result.fit, let top = eigenvalues.last, top > 0 {
            alphaWeighted = fit.alpha * log10(top)
            logAlphaNorm = logAlphaNormOf(eigenvalues, alpha: fit.alpha)
        }
    }

    public var alpha: Double? { result.fit?.alpha }

    /// Writes the fit as `prefix + name` columns; `Lambda` (TPL) and `estimator` (with
    /// `--small-n-fit`) only when asked, so default outputs keep their columns.
    func write(into row: inout Row, prefix p: String, lambda: Bool = false, estimator: Bool = false) {
        let f = result.fit
        row.set(p + "alpha", .number(f?.alpha))
        if lambda { row.set(p + "Lambda", .number(f?.lambda)) }
        if estimator { row.set(p + "estimator", f.map { .string($0.estimator.rawValue) } ?? .null) }
        row.set(p + "alpha_weighted", .number(alphaWeighted))
        row.set(p + "log_alpha_norm", .number(logAlphaNorm))
        row.set(p + "D", .number(f?.D))
        row.set(p + "xmin", .number(f?.xmin))
        row.set(p + "xmax", .number(f?.xmax))
        row.set(p + "sigma", .number(f?.sigma))
        row.set(p + "num_pl_spikes", f.map { .int($0.numPLSpikes) } ?? .null)
        row.set(p + "tail_count", f.map { .int($0.tailCount) } ?? .null)
        row.set(p + "xmin_index", f.map { .int($0.xminIndex) } ?? .null)
        row.set(p + "fit_status", .string(f == nil ? "failed" : "success"))
        row.set(p + "fit_reason", result.failure.map { .string($0.description) } ?? .null)
        row.set(p + "warning", .string(warning.rawValue))
    }

    /// Reads back what `write` wrote; `method` names the fit.
    init(row: Row, prefix p: String, method: FitMethod) throws {
        func d(_ k: String) -> Double? { row[p + k]?.doubleValue }
        func i(_ k: String) -> Int? { row[p + k]?.intValue }
        if row[p + "fit_status"]?.stringValue == "success",
           let alpha = d("alpha"), let xmin = d("xmin"), let xmax = d("xmax"), let D = d("D"),
           let index = i("xmin_index"), let tail = i("tail_count"), let spikes = i("num_pl_spikes") {
            let estimator = row[p + "estimator"]?.stringValue.flatMap(Estimator.init(rawValue:))
                ?? (method == .tpl ? .truncated : .mle)
            result = .success(PowerLawFit(method: method, alpha: alpha, xmin: xmin, xmax: xmax, xminIndex: index,
                                          tailCount: tail, D: D, numPLSpikes: spikes, estimator: estimator,
                                          lambda: row[p + "Lambda"]?.doubleValue, sigma: d("sigma")))
        } else {
            result = .failure(FitFailure(reason: row[p + "fit_reason"]?.stringValue ?? "failed"))
        }
        alphaWeighted = d("alpha_weighted")
        logAlphaNorm = d("log_alpha_norm")
        warning = LayerWarning(rawValue: row[p + "warning"]?.stringValue ?? "") ?? LayerWarning(result)
    }
}

extension FitFailure {
    /// Rebuilds a failure from its description (as stored in an analysis file).
    init(reason: String) {
        if reason.hasPrefix("too few") { self = .tooFewValues(count: 0, needed: 2) }
        else if reason.hasPrefix("xmin") { self = .nonPositiveXmin(xmin: 0) }
        else if reason.hasPrefix("all tail") { self = .degenerateTail }
        else if reason.hasPrefix("the spectrum") { self = .nonFinite }
        else if reason.hasPrefix("the likelihood") { self = .noConvergence }
        else { self = .noValidCandidate }
    }
}

/// Whether a layer could be analysed.
public enum LayerStatus: Sendable, Equatable {
    case ok
    /// The weights contain NaN or infinite values (how many).
    case nonFinite(count: Int)
    /// The eigenvalue computation failed (LAPACK's message).
    case failed(String)
    /// `--base` / LoRA: the difference is zero (the layer did not change), so it has no
    /// spectrum to fit; neither failed nor averaged.
    case unchanged

    var code: String {
        switch self {
        case .ok: return "ok"
        case .nonFinite: return "non_finite"
        case .failed: return "failed"
        case .unchanged: return "unchanged"
        }
    }
    var message: String? {
        switch self {
        case .ok: return nil
        case .unchanged: return "the difference from the base is zero"
        case let .nonFinite(n): return "\(n) NaN/Inf values in the weights"
        case let .failed(m): return m
        }
    }
}

/// Everything htsr reports about one layer: one row of the output.
public struct LayerReport: Sendable, Equatable {
    /// The layer's position among the model's layers in forward order (`Analyzer.plan`): the
    /// same whichever layers an analysis selects.
    public var id: Int
    public var name: String
    public var kind: LayerKind
    public var shape: [Int]
    public var matrices: WeightMatrices
    public var status: LayerStatus
    /// Number of eigenvalues in the ESD (`M · slices`).
    public var numEvals: Int
    public var metrics: SpectralMetrics?
    /// The fit selected by `--fit` (behind WeightWatcher's column names).
    public var fit: FitColumns?
    public var fitMethod: FitMethod
    public var hill: FitColumns?
    public var ks: FitColumns?
    /// `--no-pool`: which slice of the convolution this row is (its name is `tensor:slice`).
    public var sliceIndex: Int?
    /// `--small-n-fit` was on (the fits carry an `estimator` column).
    public var smallNFit: Bool = false
    /// `--mp-fit`.
    public var mp: MPColumns?
    /// `--randomize`.
    public var randomization: RandomizationColumns?
    /// `--fingers`.
    public var fingers: FingersColumns?
    /// `--farms`.
    public var farms: FARMSColumns?
    /// The stored quantization the weights were decoded from (`Q4_K`, `int8-per-channel`, …).
    public var quantization: String?

    public init(id: Int, name: String, kind: LayerKind, shape: [Int], matrices: WeightMatrices, status: LayerStatus,
                numEvals: Int, metrics: SpectralMetrics?, fit: FitColumns?, fitMethod: FitMethod,
                hill: FitColumns?, ks: FitColumns?) {
        self.id = id
        self.name = name
        self.kind = kind
        self.shape = shape
        self.matrices = matrices
        self.status = status
        self.numEvals = numEvals
        self.metrics = metrics
        self.fit = fit
        self.fitMethod = fitMethod
        self.hill = hill
        self.ks = ks
    }

    /// The warning of the selected fit; "failed" for layers that could not be analysed; none
    /// for unchanged layers (nothing to fit, nothing failed).
    public var warning: LayerWarning {
        switch status {
        case .ok: return fit?.warning ?? .failed
        case .unchanged: return .none
        case .nonFinite, .failed: return .failed
        }
    }

    /// The output row, WeightWatcher's column names where the quantity is the same.
    public var row: Row {
        var r = Row()
        r.set("layer_id", .int(id))
        r.set("name", .string(name))
        r.set("kind", .string(kind.rawValue))
        r.set("shape", .ints(shape))
        r.set("layout", .string(matrices.layout.rawValue))
        r.set("N", .int(matrices.N))
        r.set("M", .int(matrices.M))
        r.set("Q", .number(Double(matrices.N) / Double(matrices.M)))
        r.set("num_slices", .int(matrices.sliceCount))
        r.set("num_evals", .int(numEvals))
        r.set("status", .string(status.code))
        r.set("status_message", status.message.map { .string($0) } ?? .null)
        let m = metrics
        r.set("lambda_max", .number(m?.lambdaMax))
        r.set("lambda_min", .number(m?.lambdaMin))
        r.set("spectral_norm", .number(m?.spectralNorm))
        r.set("log_spectral_norm", .number(m?.logSpectralNorm))
        r.set("norm", .number(m?.norm))
        r.set("log_norm", .number(m?.logNorm))
        r.set("stable_rank", .number(m?.stableRank))
        r.set("matrix_rank", m.map { .int($0.matrixRank) } ?? .null)
        r.set("rank_loss", m.map { .int($0.rankLoss) } ?? .null)
        r.set("weak_rank_loss", m.map { .int($0.weakRankLoss) } ?? .null)
        r.set("entropy", .number(m?.entropy))
        r.set("sv_max", .number(m?.svMax))
        r.set("sv_min", .number(m?.svMin))
        r.set("eig_ratio", .number(m?.eigRatio))
        r.set("fit", .string(fitMethod.rawValue))
        (fit ?? .unavailable).write(into: &r, prefix: "", lambda: fitMethod == .tpl, estimator: smallNFit)
        r.set("warning", .string(warning.rawValue))
        (hill ?? .unavailable).write(into: &r, prefix: "hill_")
        (ks ?? .unavailable).write(into: &r, prefix: "ks_", estimator: smallNFit)
        if status == .unchanged {
            // Nothing was fitted, and nothing failed.
            for p in ["", "hill_", "ks_"] {
                r.set(p + "fit_status", .string("unavailable"))
                r.set(p + "fit_reason", status.message.map { .string($0) } ?? .null)
                r.set(p + "warning", .string(LayerWarning.none.rawValue))
            }
        }
        if let s = sliceIndex { r.set("slice_id", .int(s)) }
        if let q = quantization { r.set("quantization", .string(q)) }
        fingers?.write(into: &r)
        mp?.write(into: &r, prefix: "")
        randomization?.write(into: &r)
        farms?.write(into: &r)
        return r
    }

    /// The numeric value of a column, e.g. `hill_alpha` (alias `PL_Alpha_Hill`), `alpha`,
    /// `stable_rank`; nil if the column is unknown or has no value for this layer.
    public func value(ofColumn column: String) -> Double? {
        let key = column == "PL_Alpha_Hill" ? "hill_alpha" : column
        return row[key]?.doubleValue
    }
}

extension FitColumns {
    /// Columns for a layer that has no fit because it could not be analysed.
    static let unavailable = FitColumns(.failure(.nonFinite), eigenvalues: [])
}

extension LayerReport: Codable {
    public init(from decoder: Decoder) throws {
        let row = try Row(from: decoder)
        try Self.checkBounds(row, codingPath: decoder.codingPath)
        func need<T>(_ key: String, _ get: (Cell) -> T?) throws -> T {
            guard let c = row[key], let v = get(c) else {
                throw DecodingError.keyNotFound(JSONKey(key), .init(codingPath: decoder.codingPath,
                                                                   debugDescription: "layer row lacks '\(key)'"))
            }
            return v
        }
        id = try need("layer_id") { $0.intValue }
        name = try need("name") { $0.stringValue }
        kind = try need("kind") { $0.stringValue.flatMap(LayerKind.init(rawValue:)) }
        shape = try need("shape") { if case let .ints(a) = $0 { return a } else { return nil } }
        let layout = row["layout"]?.stringValue.flatMap(KernelLayout.init(rawValue:)) ?? .pytorch
        sliceIndex = row["slice_id"]?.intValue
        quantization = row["quantization"]?.stringValue
        guard shape.count == WeightMatrices.rank(of: kind) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "layer '\(name)': a \(kind.rawValue) layer has \(WeightMatrices.rank(of: kind)) dimensions, its shape \(shape) has \(shape.count)"))
        }
        let all = WeightMatrices(kind: kind, shape: shape, layout: layout)
        matrices = sliceIndex == nil ? all : all.singleSlice
        smallNFit = row["estimator"] != nil
        numEvals = try need("num_evals") { $0.intValue }
        let statusCode = row["status"]?.stringValue ?? "ok"
        switch statusCode {
        case "ok": status = .ok
        case "non_finite": status = .nonFinite(count: 0)
        case "unchanged": status = .unchanged
        default: status = .failed(row["status_message"]?.stringValue ?? "failed")
        }
        fitMethod = row["fit"]?.stringValue.flatMap(FitMethod.init(rawValue:)) ?? .ks
        if status == .ok {
            metrics = SpectralMetrics(row: row)
            fit = try FitColumns(row: row, prefix: "", method: fitMethod)
            hill = try FitColumns(row: row, prefix: "hill_", method: .hill)
            ks = try FitColumns(row: row, prefix: "ks_", method: .ks)
        }
        let Q = Double(matrices.N) / Double(matrices.M)
        fingers = FingersColumns(row: row)
        mp = MPColumns(row: row, prefix: "", Q: Q)
        randomization = RandomizationColumns(row: row, Q: Q)
        farms = try FARMSColumns(row: row, method: fitMethod == .tpl ? .ks : fitMethod)
    }

    public func encode(to encoder: Encoder) throws { try row.encode(to: encoder) }

    /// The largest magnitude of a number in a row read from a file: no analysis writes more,
    /// and sums, differences and log scales of such values stay finite.
    public static let valueLimit = 1e300
    /// The largest integer (and tensor dimension, and dimension product) in a row read from a file.
    public static let integerLimit = 1 << 53

    /// Numbers of a row read from a file are bounded (`valueLimit`, `integerLimit`; the counts
    /// and ids not negative; a shape's elements countable), so nothing downstream overflows.
    /// - Throws: `DecodingError.dataCorrupted` naming the column.
    static func checkBounds(_ row: Row, codingPath: [any CodingKey]) throws {
        func fail(_ key: String, _ problem: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: codingPath + [JSONKey(key)], debugDescription: problem))
        }
        let counts: Set<String> = ["layer_id", "N", "M", "num_slices", "num_evals", "slice_id", "matrix_rank"]
        for key in row.keys {
            switch row[key] {
            case let .double(d)?:
                guard d.isFinite, abs(d) <= valueLimit else { throw fail(key, "\(d) is beyond ±1e300, which no analysis writes") }
                if counts.contains(key) { throw fail(key, "\(d) is not an integer") }
            case let .int(i)?:
                guard abs(i) <= integerLimit else { throw fail(key, "\(i) is beyond ±2^53, which no analysis writes") }
                if counts.contains(key) && i < 0 { throw fail(key, "\(i) is negative") }
            case let .ints(values)?:
                var product = 1
                for v in values {
                    let (p, overflow) = product.multipliedReportingOverflow(by: v)
                    guard v >= 0, !overflow, p <= integerLimit else { throw fail(key, "\(values) is not a shape of at most 2^53 elements") }
                    product = p
                }
            default: break
            }
        }
    }
}

extension SpectralMetrics {
    init?(row: Row) {
        guard let lmax = row["lambda_max"]?.doubleValue, let lmin = row["lambda_min"]?.doubleValue,
              let norm = row["norm"]?.doubleValue, let rank = row["matrix_rank"]?.intValue else { return nil }
        lambdaMax = lmax
        lambdaMin = lmin
        self.norm = norm
        stableRank = row["stable_rank"]?.doubleValue ?? (lmax > 0 ? norm / lmax : nil)
        matrixRank = rank
        rankLoss = row["rank_loss"]?.intValue ?? 0
        weakRankLoss = row["weak_rank_loss"]?.intValue ?? 0
        entropy = row["entropy"]?.doubleValue
        eigRatio = row["eig_ratio"]?.doubleValue
    }
}
