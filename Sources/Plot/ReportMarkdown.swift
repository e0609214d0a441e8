import Analyzer

/// The Markdown summary of a report (`summary.md`), for pasting into notes and pull requests.
public enum ReportMarkdown {
    /// `summary.md`: the source, the counts and means, and the per-layer table.
    public static func summary(_ data: AnalysisData, _ c: ReportContents) -> String {
        let r = data.report
        let s = r.summary
        func md(_ x: String) -> String { x.replacingOccurrences(of: "|", with: "\\|") }
        func n(_ x: Double?) -> String { x.map { shortNumber($0) } ?? "–" }
        var out = "# htsr report: \(data.label)\n\n"
        out += "Source: `\(r.source.path)` (\(r.source.format), \(r.source.tensorCount) tensors); \(r.tool); fit \(r.options.fit.rawValue).\n\n"
        out += "- Layers analysed: \(s.layers) (\(s.fitted) fitted), tensors skipped: \(s.skipped)\n"
        out += "- Over-trained (α < 2): \(s.overTrained); under-trained (α > 6): \(s.underTrained); failed: \(s.failed); non-finite: \(s.nonFinite)\n"
        let alphas = ReportPages.alphaColumns(r.options.fit)
        out += "- Mean " + alphas.map { "\($0.header): \(n(s.means[$0.mean]))" }.joined(separator: "; ") + "\n"
        if let other = c.comparedWith { out += "- Compared with: \(other)\n" }
        out += "\n| id | layer | kind | λmax | " + alphas.map { $0.header }.joined(separator: " | ") + " | D KS | stable rank | warning |\n"
        out += "|---:|---|---|---:|" + String(repeating: "---:|", count: alphas.count) + "---:|---:|---|\n"
        for l in r.layers {
            let f = ReportPages.flag(l)
            out += "| \(l.id) | \(md(l.name)) | \(l.kind.rawValue) | \(n(l.metrics?.lambdaMax)) | "
            out += alphas.map { n($0.value(l)) }.joined(separator: " | ")
            out += " | \(n(l.ks?.result.fit?.D)) | \(n(l.metrics?.stableRank)) | \(f.text) |\n"
        }
        out += "\nFigures: `index.html` (open in a browser).\n"
        return out
    }
}
