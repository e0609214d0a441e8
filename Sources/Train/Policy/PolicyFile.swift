import Analyzer
import Checkpoint
import Foundation

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

    /// Builds the policy from an analysis report: its analysed layers in depth (checkpoint)
    /// order; parameter names are every tensor of the report (analysed and skipped).
    public init(report: AnalysisReport, options: PolicyOptions) {
        let fits = report.layers.map { layer in
            LayerFit(name: PolicyFile.layerName(layer.name), eigenvalueCount: layer.numEvals,
                     metric: layer.status == .ok ? layer.value(ofColumn: options.metric) : nil)
        }
        let decisions = TempBalance.decide(fits, options: options)
        var names = report.layers.map(\.name) + report.skipped.map(\.name)
        names = PolicyFile.depthOrder(names)
        let routed = TempBalance.route(parameterNames: names, decisions: decisions, options: options)
        var warnings: [String] = []
        let dropped = report.skipped.filter { $0.shape.count == 2 && $0.reason.contains("eigenvalues") }.map(\.name)
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

    /// An analysis file does not keep the checkpoint's full tensor order, so parameter names are
    /// put in natural order (`fc2` before `fc10`); routing matches norms to layers by name
    /// (`lnK` → `fcK`, `bnK` → `convK`, blocks), which does not depend on this order.
    static func depthOrder(_ names: [String]) -> [String] {
        names.sorted { a, b in a.compare(b, options: [.numeric]) == .orderedAscending }
    }

    /// Pretty JSON, keys sorted.
    public func jsonData() throws -> Data { Data(try JSONValueEncoder(sortedKeys: true).encode(self).text(.pretty).utf8) }
}
