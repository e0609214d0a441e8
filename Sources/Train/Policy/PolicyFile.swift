import Analyzer
import Checkpoint
import Foundation
import Spectrum

/// A policy as `htsr policy` writes it: the options, one decision per analysed layer, and the
/// multiplier of every parameter by name (`lr = η · parameters[name]`).
public struct PolicyFile: Sendable, Codable, Equatable {
    public static let formatName = "htsr-policy"
    public var format = PolicyFile.formatName
    public var version = 1
    public var tool = "htsr \(htsrVersion)"
    /// The analysis or checkpoint the metrics came from.
    public var source: String
    public var options: PolicyOptions
    public var layers: [LayerDecision]
    /// Parameter name → learning-rate multiplier (1 = the global rate).
    public var parameters: [String: Double]
    /// Notes about the input that may change the result (e.g. layers the analysis skipped).
    public var warnings: [String]

    /// Builds the policy from an analysis report, in the analysis's layer order (its
    /// `order`: the model's forward order, or natural name order, which the warnings then
    /// mention): the first/last layers, the groups and the norms' routing follow it. Parameter
    /// names are every tensor of the report (analysed and skipped).
    ///
    /// - Throws: `PolicyError.unknownMetric` when `options.metric` is not a numeric column of
    ///   the analysis; `.missingMetric` / `.nonNumericMetric` naming a layer whose row lacks it
    ///   or holds text. A null value (a failed fit) is no error: that layer keeps η.
    ///
    /// - Parameter rows: the layer rows as read from an analysis file (`AnalysisReport.layerRows`),
    ///   so the metric is the value written there; nil: the report's own rows.
    public init(report: AnalysisReport, rows fileRows: [Row]? = nil, options: PolicyOptions) throws {
        let rows = fileRows.flatMap { $0.count == report.layers.count ? $0 : nil } ?? report.layers.map(\.row)
        try PolicyMetric.check(options.metric, rows: rows)
        var warnings: [String] = []
        let order: [String]
        var layers = Array(zip(report.layers, rows))
        if let o = report.order {
            order = o.tensors
            if o.method == .natural {
                warnings.append("layer order: \(o.description); first/last layers and norm routing follow it")
            }
        } else {
            order = LayerOrder.natural().sorted(report.layers.map(\.name) + report.skipped.map(\.name))
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            layers.sort { (rank[$0.0.name] ?? 0) < (rank[$1.0.name] ?? 0) }
            warnings.append("the analysis records no layer order (an older htsr wrote it): natural name order is used; re-run htsr analyze")
        }
        let fits = try layers.map { layer, row in
            LayerFit(name: PolicyFile.layerName(layer.name), eigenvalueCount: layer.numEvals,
                     metric: layer.status == .ok ? try PolicyMetric.value(options.metric, layer: layer.name, row: row) : nil,
                     isEmbedding: layer.kind == .embedding)
        }
        let decisions = TempBalance.decide(fits, options: options)
        let routed = TempBalance.route(parameterNames: order, decisions: decisions, options: options)
        let dropped = report.skipped.filter {
            $0.shape.count == 2 && $0.reason.contains("eigenvalues")
                && LayerClassifier.classify(name: $0.name, shape: $0.shape, isFloatingPoint: true) != .success(.embedding)
        }.map(\.name)
        if !dropped.isEmpty {
            warnings.append("the analysis skipped \(dropped.count) matrix layer(s) for their eigenvalue count (\(dropped.prefix(3).joined(separator: ", "))…); the first/last layers the policy drops are among the analysed ones only — analyse with --min-evals 2 to match the reference")
        }
        self.source = report.source.path
        self.options = options
        self.layers = decisions
        self.parameters = Dictionary(routed.map { ($0.name, $0.multiplier) }, uniquingKeysWith: { a, _ in a })
        self.warnings = warnings
    }

    /// A tensor name's layer (module): the name without its last component
    /// (`fc2.weight` → `fc2`; a name without a dot is its own layer).
    public static func layerName(_ tensor: String) -> String {
        guard let dot = tensor.lastIndex(of: ".") else { return tensor }
        return String(tensor[..<dot])
    }

    /// Pretty JSON, keys sorted.
    public func jsonData() throws -> Data { Data(try JSONValueEncoder(sortedKeys: true).encode(self).text(.pretty).utf8) }
}
