import Analyzer
import Spectrum

/// Why a policy cannot be computed from an analysis.
public enum PolicyError: Error, CustomStringConvertible, Equatable {
    /// `--metric` names no numeric column of the analysis (`valid` lists those it has).
    case unknownMetric(metric: String, valid: [String])
    /// A layer's row has a value of the metric's column that is not a number.
    case nonNumericMetric(layer: String, metric: String, value: String)
    /// A layer's row lacks the metric's column that other rows have.
    case missingMetric(layer: String, metric: String)

    public var description: String {
        switch self {
        case let .unknownMetric(metric, valid):
            return "--metric '\(metric)' is not a numeric column of the analysis; use one of: PL_Alpha_Hill, \(valid.joined(separator: ", "))"
        case let .nonNumericMetric(layer, metric, value):
            return "layer '\(layer)': its '\(metric)' is \(value), not a number"
        case let .missingMetric(layer, metric):
            return "layer '\(layer)' has no '\(metric)' column (other layers have it)"
        }
    }
}

/// The policy's metric: which analysis column it names and each layer's value.
public enum PolicyMetric {
    /// The column `metric` names: `PL_Alpha_Hill` (TempBalance's name) is `hill_alpha`.
    public static func column(_ metric: String) -> String { metric == "PL_Alpha_Hill" ? "hill_alpha" : metric }

    /// Columns that identify a row rather than measure it.
    static let identifiers: Set<String> = ["layer_id", "slice_id"]

    /// The numeric columns of `rows`: those with a number in some row, in order of first appearance.
    public static func numericColumns(_ rows: [Row]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for row in rows {
            for k in row.keys where !identifiers.contains(k) && row[k]?.doubleValue != nil && seen.insert(k).inserted {
                out.append(k)
            }
        }
        return out
    }

    /// The numeric columns an analysis with `options` writes: those of a row computed from a
    /// well-conditioned spectrum (every fit succeeds on it). Columns that need the weights
    /// themselves (randomisation, FARMS) are not among them.
    public static func numericColumns(options: AnalysisOptions) -> [String] {
        let matrices = WeightMatrices(kind: .linear, shape: [256, 64], layout: .pytorch)
        var report = LayerReport(id: 0, name: "probe", kind: .linear, shape: [256, 64], matrices: matrices, status: .ok,
                                 numEvals: 64, metrics: nil, fit: nil, fitMethod: options.fit, hill: nil, ks: nil)
        report.smallNFit = options.smallNFit
        // λ_i = (i + 1)^2: a power-law-like, well-separated spectrum.
        let esd = ESD(eigenvalues: (1...64).map { Double($0 * $0) }, matrices: matrices)
        Analyzer.fill(&report, esd: esd, options: options)
        return numericColumns([report.row])
    }

    /// Checks that `metric` names a numeric column of `rows`.
    /// - Throws: `PolicyError.unknownMetric` listing the valid columns.
    public static func check(_ metric: String, rows: [Row]) throws {
        let valid = numericColumns(rows)
        guard valid.contains(column(metric)) else { throw PolicyError.unknownMetric(metric: metric, valid: valid) }
    }

    /// Checks that `metric` names a column an analysis with `options` writes (see `numericColumns(options:)`).
    public static func check(_ metric: String, options: AnalysisOptions) throws {
        let valid = numericColumns(options: options)
        guard valid.contains(column(metric)) else { throw PolicyError.unknownMetric(metric: metric, valid: valid) }
    }

    /// The metric of one layer: nil when the row holds null (a failed fit, or a layer that was
    /// not analysed: the layer keeps η).
    /// - Throws: `PolicyError.missingMetric` when the row lacks the column, `.nonNumericMetric`
    ///   when it holds text.
    public static func value(_ metric: String, layer: String, row: Row) throws -> Double? {
        guard let cell = row[column(metric)] else { throw PolicyError.missingMetric(layer: layer, metric: metric) }
        switch cell {
        case .null: return nil
        case let .string(s): throw PolicyError.nonNumericMetric(layer: layer, metric: metric, value: "the text '\(s)'")
        case let .ints(a): throw PolicyError.nonNumericMetric(layer: layer, metric: metric, value: "the list \(a)")
        case .int, .double: return cell.doubleValue
        }
    }
}
