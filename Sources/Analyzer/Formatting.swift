import Foundation

/// Text renderings of an analysis: CSV (every column) and a readable table (the main ones).
public enum ReportFormatter {
    /// CSV with a header row; every column of any layer row, in row order. Shapes are written
    /// as `384x1536`; missing values are empty cells; text is quoted when needed (RFC 4180).
    public static func csv(_ report: AnalysisReport) -> String {
        csv(rows: report.layers.map { ([], $0.row) }, leading: [])
    }

    /// Several analyses in one CSV: a first column `model` (the label of each analysis), one
    /// header, and the union of every analysis's columns; rows in the order given.
    public static func csv(_ reports: [(model: String, report: AnalysisReport)]) -> String {
        csv(rows: reports.flatMap { m in m.report.layers.map { ([Cell.string(m.model)], $0.row) } }, leading: ["model"])
    }

    /// `leading` columns (their cells given per row) then the union of the rows' columns in
    /// order of first appearance (rows of different kinds, e.g. convolution slices and linear
    /// layers under --no-pool, or of different models, may differ).
    private static func csv(rows: [([Cell], Row)], leading: [String]) -> String {
        guard !rows.isEmpty else { return "" }
        var keys: [String] = []
        var seen = Set<String>()
        for (_, row) in rows { for k in row.keys where seen.insert(k).inserted { keys.append(k) } }
        var out = (leading + keys).joined(separator: ",") + "\n"
        for (first, row) in rows {
            out += (first.map(csvCell) + keys.map { csvCell(row[$0] ?? .null) }).joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvCell(_ cell: Cell) -> String {
        switch cell {
        case let .int(i): return String(i)
        case let .double(d): return d.isFinite ? "\(d)" : ""
        case let .ints(a): return a.map(String.init).joined(separator: "x")
        case .null: return ""
        case let .string(s):
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
    }

    /// A fixed-width table of the main columns and a summary line, for a terminal. Options
    /// that add metrics add their main columns (α of `--fit`, Λ, fingers, MP spikes and σ,
    /// randomisation distance, FARMS α).
    public static func table(_ report: AnalysisReport, nameWidth: Int = 48) -> String {
        let o = report.options
        var header = ["id", "layer", "kind", "shape", "λmax", "α hill", "α ks", "D ks", "xmin ks", "stable_rank"]
        var extra: [(String, (LayerReport) -> String)] = []
        if o.fit == .peak || o.fit == .tpl { extra.append(("α " + o.fit.rawValue, { fmt($0.fit?.alpha, 3) })) }
        if o.fit == .tpl { extra.append(("Λ", { fmt($0.fit?.result.fit?.lambda, 3) })) }
        if o.fingers != nil {
            extra.append(("α clipped", { fmt($0.fingers?.clippedAlpha, 3) }))
            extra.append(("fingers", { $0.fingers?.numFingers.map(String.init) ?? "–" }))
        }
        if o.mpFit {
            extra.append(("spikes", { $0.mp?.fit.map { String($0.numSpikes) } ?? "–" }))
            extra.append(("σ_mp", { fmt($0.mp?.fit?.sigma, 4) }))
        }
        if o.randomize {
            extra.append(("rand spikes", { $0.randomization?.mp.fit.map { String($0.numSpikes) } ?? "–" }))
            extra.append(("rand_dist", { fmt($0.randomization?.sortedVectorDistance, 3) }))
        }
        if o.farms != nil { extra.append(("α farms", { fmt($0.farms?.fit.alpha, 3) })) }
        if report.layers.contains(where: { $0.quantization != nil }) { extra.append(("quantization", { $0.quantization ?? "–" })) }
        header += extra.map(\.0) + ["warning"]
        var lines: [[String]] = [header]
        for l in report.layers {
            let m = l.metrics
            lines.append([
                String(l.id),
                truncate(l.name, nameWidth),
                l.kind.rawValue,
                l.shape.map(String.init).joined(separator: "x"),
                fmt(m?.lambdaMax, 4),
                fmt(l.hill?.alpha, 3),
                fmt(l.ks?.alpha, 3),
                fmt(l.ks?.result.fit?.D, 4),
                fmt(l.ks?.result.fit?.xmin, 4),
                fmt(m?.stableRank, 2),
            ] + extra.map { $0.1(l) } + [l.status == .ok ? l.warning.rawValue : l.status.code])
        }
        let textColumns = Set(header.indices.filter { header[$0] == "quantization" })
        var out = align(lines, numeric: Set([0] + Array(4..<(header.count - 1))).subtracting(textColumns))
        let s = report.summary
        let mean = { (k: String) in s.means[k].map { String(format: "%.3f", $0) } ?? "–" }
        out += "\n\(s.layers) layers (\(s.fitted) fitted, \(s.skipped) tensors skipped): "
        out += "mean α hill \(mean("hill_alpha")), mean α ks \(mean("ks_alpha")); "
        out += "\(s.overTrained) over-trained (α < 2), \(s.underTrained) under-trained (α > 6), \(s.failed) failed"
        out += (s.unchanged > 0 ? ", \(s.unchanged) unchanged" : "") + "\n"
        if let order = report.order { out += "layer order: \(order.description)\n" }
        if let m = report.source.model {
            out += "model: " + [m.architecture, m.blockCount.map { "\($0) blocks" }, m.contextLength.map { "context \($0)" }]
                .compactMap { $0 }.joined(separator: ", ") + "\n"
        }
        if o.mpFit { out += "mean mp_softrank \(mean("mp_softrank")), mean num_spikes \(mean("num_spikes"))\n" }
        if let c = report.comparison {
            let what: String
            switch c.mode {
            case .delta: what = "W − W_base"
            case .loraProduct: what = "LoRA update scale·B·A"
            case .loraMerged: what = "W + scale·B·A"
            }
            out += "layers are \(what)" + (c.base.map { " (base \($0))" } ?? "") + "\n"
            if !c.modelOnly.isEmpty { out += "not in the base (\(c.modelOnly.count)): \(c.modelOnly.joined(separator: ", "))\n" }
            if !c.baseOnly.isEmpty { out += "base only (\(c.baseOnly.count)): \(c.baseOnly.joined(separator: ", "))\n" }
        }
        return out
    }

    /// Pads the cells of `lines` (the first is the header, underlined) into columns; the
    /// `numeric` columns are right-aligned.
    static func align(_ lines: [[String]], numeric: Set<Int>) -> String {
        guard let header = lines.first else { return "" }
        let widths = header.indices.map { c in lines.map { $0[c].count }.max()! }
        var out = ""
        for (i, line) in lines.enumerated() {
            let cells = line.enumerated().map { c, s in
                let pad = String(repeating: " ", count: widths[c] - s.count)
                return numeric.contains(c) ? pad + s : s + pad
            }
            out += cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            if i == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    static func fmt(_ x: Double?, _ significant: Int) -> String {
        guard let x, x.isFinite else { return "–" }
        if x != 0 && (abs(x) >= 1e5 || abs(x) < 1e-3) { return String(format: "%.\(significant - 1)e", x) }
        return String(format: "%.\(significant)g", x)
    }

    static func truncate(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : "…" + s.suffix(width - 1)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
