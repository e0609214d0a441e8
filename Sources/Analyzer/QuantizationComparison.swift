import Foundation
import Checkpoint

/// `htsr analyze --compare-quantized BASE QUANT`: per layer, how quantization moved α (the
/// `--fit` α and Hill's), λmax and the stable rank, layers matched by name (a quantized
/// safetensors weight `P.qweight` is reported as `P.weight`, so it meets its float layer).
public struct QuantizationComparison: Sendable, Equatable {
    /// One quantity in both analyses.
    public struct Change: Sendable, Equatable {
        public var base: Double?
        public var quantized: Double?
        /// `quantized − base`, when both have a value.
        public var delta: Double? { guard let base, let quantized else { return nil }; return quantized - base }
        /// `(quantized − base) / |base|`, when both have a value and base is not zero.
        public var relative: Double? { guard let d = delta, let base, base != 0 else { return nil }; return d / abs(base) }
    }

    /// One layer present in both analyses.
    public struct Layer: Sendable, Equatable {
        public var name: String
        /// How the quantized layer was stored (e.g. `Q4_K`, `int8-per-channel`); nil if it was not.
        public var quantization: String?
        public var alpha: Change
        public var hillAlpha: Change
        public var lambdaMax: Change
        public var stableRank: Change
    }

    public var base: String
    public var quantized: String
    /// The `--fit` behind `alpha`.
    public var fit: String
    public var layers: [Layer]
    public var onlyInBase: [String]
    public var onlyInQuantized: [String]

    public init(base: AnalysisReport, quantized: AnalysisReport, basePath: String, quantizedPath: String) {
        self.base = basePath
        self.quantized = quantizedPath
        fit = base.options.fit.rawValue
        var byName: [String: LayerReport] = [:]
        for l in quantized.layers where byName[l.name] == nil { byName[l.name] = l }
        func change(_ a: LayerReport, _ b: LayerReport, _ column: String) -> Change {
            Change(base: a.value(ofColumn: column), quantized: b.value(ofColumn: column))
        }
        layers = base.layers.compactMap { a in
            guard let b = byName[a.name] else { return nil }
            return Layer(name: a.name, quantization: b.quantization, alpha: change(a, b, "alpha"),
                         hillAlpha: change(a, b, "hill_alpha"), lambdaMax: change(a, b, "lambda_max"),
                         stableRank: change(a, b, "stable_rank"))
        }
        let baseNames = Set(base.layers.map(\.name))
        onlyInBase = base.layers.map(\.name).filter { byName[$0] == nil }
        onlyInQuantized = quantized.layers.map(\.name).filter { !baseNames.contains($0) }
    }

    /// A readable table: per layer the scheme, α base → quantized and Δα, λmax's relative change,
    /// the stable rank's change; then the means and unmatched layers.
    public func table(nameWidth: Int = 48) -> String {
        let fmt = { (x: Double?) in ReportFormatter.fmt(x, 4) }
        var lines: [[String]] = [["layer", "quantization", "α base", "α quant", "Δα", "Δα hill", "Δλmax/λmax", "Δstable_rank"]]
        for l in layers {
            lines.append([ReportFormatter.truncate(l.name, nameWidth), l.quantization ?? "–", fmt(l.alpha.base), fmt(l.alpha.quantized),
                          signed(l.alpha.delta), signed(l.hillAlpha.delta), signed(l.lambdaMax.relative), signed(l.stableRank.delta)])
        }
        var out = ReportFormatter.align(lines, numeric: Set(2...7))
        func mean(_ xs: [Double?]) -> String {
            let v = xs.compactMap { $0 }
            return v.isEmpty ? "–" : signed(v.reduce(0, +) / Double(v.count))
        }
        out += "\n\(layers.count) layers matched (α from the \(fit) fit): mean Δα \(mean(layers.map(\.alpha.delta))), "
        out += "mean |Δα| \(mean(layers.map { $0.alpha.delta.map(abs) })), mean Δλmax/λmax \(mean(layers.map(\.lambdaMax.relative))), "
        out += "mean Δstable_rank \(mean(layers.map(\.stableRank.delta)))\n"
        if !onlyInBase.isEmpty { out += "only in \(base) (\(onlyInBase.count)): \(onlyInBase.joined(separator: ", "))\n" }
        if !onlyInQuantized.isEmpty { out += "only in \(quantized) (\(onlyInQuantized.count)): \(onlyInQuantized.joined(separator: ", "))\n" }
        return out
    }

    /// CSV, one row per matched layer: base, quantized and delta of each quantity.
    public func csv() -> String {
        var out = "name,quantization"
        for q in ["alpha", "hill_alpha", "lambda_max", "stable_rank"] { out += ",\(q)_base,\(q)_quantized,\(q)_delta" }
        out += ",lambda_max_relative\n"
        for l in layers {
            var cells = [ReportFormatter.csvCell(.string(l.name)), ReportFormatter.csvCell(l.quantization.map { .string($0) } ?? .null)]
            for c in [l.alpha, l.hillAlpha, l.lambdaMax, l.stableRank] {
                cells += [c.base, c.quantized, c.delta].map { ReportFormatter.csvCell(.number($0)) }
            }
            cells.append(ReportFormatter.csvCell(.number(l.lambdaMax.relative)))
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON (`format: htsr-quantization-comparison`).
    public func jsonData() throws -> Data {
        struct C: Encodable { var base: JSONValue; var quantized: JSONValue; var delta: JSONValue; var relative: JSONValue }
        struct L: Encodable {
            var name: String; var quantization: String?
            var alpha: C; var hill_alpha: C; var lambda_max: C; var stable_rank: C
        }
        struct Document: Encodable {
            var format = "htsr-quantization-comparison"
            var version = 1
            var base: String; var quantized: String; var fit: String
            var layers: [L]
            var only_in_base: [String]; var only_in_quantized: [String]
        }
        func c(_ x: Change) -> C { C(base: Cell.number(x.base).json, quantized: Cell.number(x.quantized).json, delta: Cell.number(x.delta).json, relative: Cell.number(x.relative).json) }
        let doc = Document(base: base, quantized: quantized, fit: fit,
                           layers: layers.map { L(name: $0.name, quantization: $0.quantization, alpha: c($0.alpha),
                                                  hill_alpha: c($0.hillAlpha), lambda_max: c($0.lambdaMax), stable_rank: c($0.stableRank)) },
                           only_in_base: onlyInBase, only_in_quantized: onlyInQuantized)
        return Data(try JSONValueEncoder().encode(doc).text(.pretty).utf8)
    }

    private func signed(_ x: Double?) -> String {
        guard let x else { return "–" }
        let s = ReportFormatter.fmt(x, 3)
        return x > 0 ? "+" + s : s
    }
}
