import Checkpoint
import Foundation

/// `htsr compare A.json B.json`: one metric per layer in two analyses, matched by layer name,
/// with `Δ = B − A`, and the change of every summary mean and count.
public struct ReportComparison: Sendable, Equatable {
    /// One layer present in both analyses.
    public struct LayerChange: Sendable, Equatable {
        public var name: String
        public var a: Double?
        public var b: Double?
        /// `b − a`, when both have a value.
        public var delta: Double? { guard let a, let b else { return nil }; return b - a }
    }

    /// One summary quantity in both analyses.
    public struct SummaryChange: Sendable, Equatable {
        public var key: String
        public var a: Double
        public var b: Double
        public var delta: Double { b - a }
    }

    public var metric: String
    public var pathA: String
    public var pathB: String
    /// The layers of A that B also has, in A's order.
    public var layers: [LayerChange]
    /// Layers of one analysis only.
    public var onlyInA: [String]
    public var onlyInB: [String]
    /// The means both summaries have, then the counts.
    public var summary: [SummaryChange]

    /// - Throws: `AnalysisError.unknownMetric` (naming the file) when no layer of A or B has the
    ///   column `metric` (aliases such as `PL_Alpha_Hill` are accepted).
    public init(_ a: AnalysisReport, _ b: AnalysisReport, metric: String, pathA: String, pathB: String) throws {
        self.metric = metric
        self.pathA = pathA
        self.pathB = pathB
        let key = metric == "PL_Alpha_Hill" ? "hill_alpha" : metric
        for (report, path) in [(a, pathA), (b, pathB)] where !report.layers.isEmpty {
            if !report.layers.contains(where: { $0.row[key] != nil }) {
                throw AnalysisError.unknownMetric(file: path, metric: metric, known: report.layers[0].row.keys.filter {
                    report.layers[0].row[$0]?.doubleValue != nil
                })
            }
        }
        var byNameB: [String: LayerReport] = [:]
        for l in b.layers where byNameB[l.name] == nil { byNameB[l.name] = l }
        let namesA = Set(a.layers.map(\.name))
        layers = a.layers.compactMap { l in
            guard let other = byNameB[l.name] else { return nil }
            return LayerChange(name: l.name, a: l.value(ofColumn: key), b: other.value(ofColumn: key))
        }
        onlyInA = a.layers.map(\.name).filter { byNameB[$0] == nil }
        onlyInB = b.layers.map(\.name).filter { !namesA.contains($0) }
        var s: [SummaryChange] = []
        for k in a.summary.means.keys.sorted() {
            if let x = a.summary.means[k], let y = b.summary.means[k] { s.append(SummaryChange(key: "mean " + k, a: x, b: y)) }
        }
        let counts: [(String, KeyPath<Summary, Int>)] = [
            ("layers", \.layers), ("fitted", \.fitted), ("over_trained", \.overTrained),
            ("under_trained", \.underTrained), ("failed", \.failed),
        ]
        for (name, path) in counts {
            s.append(SummaryChange(key: name, a: Double(a.summary[keyPath: path]), b: Double(b.summary[keyPath: path])))
        }
        summary = s
    }

    /// A readable table: per layer A, B and Δ; then the summary changes and unmatched layers.
    public func table(nameWidth: Int = 48) -> String {
        let fmt = { (x: Double?) in ReportFormatter.fmt(x, 4) }
        var lines: [[String]] = [["layer", metric + " A", metric + " B", "Δ"]]
        for l in layers {
            lines.append([ReportFormatter.truncate(l.name, nameWidth), fmt(l.a), fmt(l.b), l.delta.map(signed) ?? "–"])
        }
        var out = ReportFormatter.align(lines, numeric: [1, 2, 3])
        out += "\nsummary (A → B):\n"
        let width = summary.map(\.key.count).max() ?? 0
        for c in summary {
            out += "  " + c.key.padding(toLength: width, withPad: " ", startingAt: 0)
            out += "  \(fmt(c.a)) → \(fmt(c.b))  (\(signed(c.delta)))\n"
        }
        if !onlyInA.isEmpty { out += "only in \(pathA) (\(onlyInA.count)): \(onlyInA.joined(separator: ", "))\n" }
        if !onlyInB.isEmpty { out += "only in \(pathB) (\(onlyInB.count)): \(onlyInB.joined(separator: ", "))\n" }
        return out
    }

    /// CSV: `name,<metric>_a,<metric>_b,delta`, one row per matched layer.
    public func csv() -> String {
        var out = "name,\(metric)_a,\(metric)_b,delta\n"
        for l in layers {
            out += [ReportFormatter.csvCell(.string(l.name)), ReportFormatter.csvCell(.number(l.a)),
                    ReportFormatter.csvCell(.number(l.b)), ReportFormatter.csvCell(.number(l.delta))].joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON with the layers, the summary changes and the unmatched layers.
    public func jsonData() throws -> Data {
        struct Layer: Encodable { var name: String; var a: JSONValue; var b: JSONValue; var delta: JSONValue }
        struct Change: Encodable { var key: String; var a: Double; var b: Double; var delta: Double }
        struct Document: Encodable {
            var format = "htsr-comparison"
            var version = 1
            var metric: String
            var a: String
            var b: String
            var layers: [Layer]
            var summary: [Change]
            var onlyInA: [String]
            var onlyInB: [String]
            enum CodingKeys: String, CodingKey {
                case format, version, metric, a, b, layers, summary, onlyInA = "only_in_a", onlyInB = "only_in_b"
            }
        }
        let doc = Document(metric: metric, a: pathA, b: pathB,
                           layers: layers.map { Layer(name: $0.name, a: .double($0.a), b: .double($0.b), delta: .double($0.delta)) },
                           summary: summary.map { Change(key: $0.key, a: $0.a, b: $0.b, delta: $0.delta) },
                           onlyInA: onlyInA, onlyInB: onlyInB)
        return Data(try JSONValueEncoder().encode(doc).text(.pretty).utf8)
    }

    private func signed(_ x: Double) -> String {
        let s = ReportFormatter.fmt(x, 4)
        return x > 0 ? "+" + s : s
    }
}
