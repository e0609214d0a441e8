import Analyzer
import Foundation
import PowerLaw

/// What a report holds besides the analysis: which figures exist.
public struct ReportContents: Sendable {
    /// Layers (indices into the report's layers) that have a page with per-layer figures.
    public var layerPages: [Int]
    /// The per-layer figure kinds on each layer page.
    public var layerKinds: [FigureKind]
    /// The model (and comparison) figures, in display order.
    public var modelKinds: [FigureKind]
    public var format: ImageFormat
    /// The label of the compared analysis, if any.
    public var comparedWith: String?
    /// Why there are no per-layer pages, when there are none.
    public var noLayerPagesReason: String?
}

/// The static HTML of a report: `index.html` and one page per layer. No external assets, no
/// scripts; every link is relative. Pure functions, so they are tested without a browser.
public enum ReportPages {
    public static let analysisJSON = "analysis.json"
    public static let analysisCSV = "analysis.csv"
    public static let summaryMarkdown = "summary.md"
    /// The folder of the model and comparison figures.
    public static let modelFolder = "figures"

    /// The page of a layer, relative to the report folder: `layers/<id>_<name>.html`.
    public static func layerPage(_ layer: LayerReport) -> String { FigurePaths.layerFolder(layer) + ".html" }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A relative URL for a path made of our own file names (percent-encodes anything unusual).
    static func href(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/._-~")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    static let css = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1280px;color:#202020;padding:0 16px}
        h1{font-size:1.6em;margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
        .muted{color:#666}table{border-collapse:collapse;font-size:13px}
        th,td{padding:3px 8px;border-bottom:1px solid #e5e5e5;text-align:left;white-space:nowrap}
        th{background:#f3f3f3;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.over-trained{background:#fbe3d6}tr.under-trained{background:#dcecf8}tr.failed{background:#eeeeee;color:#555}
        .badge{padding:1px 6px;border-radius:8px;font-size:12px}.badge.over-trained{background:#D55E00;color:#fff}
        .badge.under-trained{background:#56B4E9;color:#000}.badge.failed{background:#999;color:#fff}
        dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dl.summary dt{font-weight:bold}dl.summary dd{margin:0}
        .figures{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;flex:1 1 560px;max-width:820px}figure img{width:100%;height:auto;border:1px solid #e5e5e5}
        figcaption{font-size:13px;color:#555;margin-top:4px}nav a{margin-right:16px}
        """

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        \(StagedFolder.reportMark)
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static func number(_ x: Double?, _ digits: Int = 3) -> String {
        guard let x, x.isFinite else { return "–" }
        return escape(shortNumber(x, digits: digits))
    }

    /// An α column of the report's tables and summary.
    struct AlphaColumn {
        var header: String
        var value: (LayerReport) -> Double?
        /// The key of its mean in the analysis summary.
        var mean: String
    }

    /// The α columns: Hill and KS, the one the analysis selected with `--fit` marked `(fit)`
    /// (one column, not a copy of it beside the other); a `peak` or `tpl` fit gets its own
    /// column first.
    static func alphaColumns(_ fit: FitMethod) -> [AlphaColumn] {
        let hill = AlphaColumn(header: "α Hill" + (fit == .hill ? " (fit)" : ""), value: { $0.hill?.alpha }, mean: fit == .hill ? "alpha" : "hill_alpha")
        let ks = AlphaColumn(header: "α KS" + (fit == .ks ? " (fit)" : ""), value: { $0.ks?.alpha }, mean: fit == .ks ? "alpha" : "ks_alpha")
        guard fit != .hill, fit != .ks else { return [hill, ks] }
        return [AlphaColumn(header: "α \(fit.rawValue) (fit)", value: { $0.fit?.alpha }, mean: "alpha"), hill, ks]
    }

    /// The row class and badge text of a layer: its warning, or its status when not analysed.
    static func flag(_ l: LayerReport) -> (cls: String, text: String) {
        if case .nonFinite = l.status { return ("failed", "NaN/Inf weights") }
        if l.status != .ok { return ("failed", "analysis failed") }
        switch l.warning {
        case .none: return ("", "")
        case .overTrained: return ("over-trained", "over-trained (α < 2)")
        case .underTrained: return ("under-trained", "under-trained (α > 6)")
        case .failed: return ("failed", "fit failed")
        }
    }

    static func figure(_ src: String, _ kind: FigureKind) -> String {
        """
        <figure><a href="\(href(src))"><img src="\(href(src))" alt="\(escape(kind.summary))" loading="lazy"></a>\
        <figcaption>\(escape(kind.summary))</figcaption></figure>
        """
    }

    /// `index.html`: summary, model figures, the per-layer table (warnings highlighted, each
    /// layer with figures linked to its page), the skipped tensors, and the data files.
    public static func index(_ data: AnalysisData, _ c: ReportContents) -> String {
        let r = data.report
        let s = r.summary
        let pages = Set(c.layerPages)
        var body = "<h1>htsr report: \(escape(data.label))</h1>\n"
        body += "<p class=\"muted\">\(escape(r.tool)) · source <code>\(escape(r.source.path))</code> (\(escape(r.source.format)), \(r.source.tensorCount) tensors)</p>\n"
        body += "<nav><a href=\"#summary\">Summary</a><a href=\"#figures\">Figures</a><a href=\"#layers\">Layers</a><a href=\"#skipped\">Skipped</a><a href=\"#files\">Files</a></nav>\n"
        body += "<h2 id=\"summary\">Summary</h2>\n<dl class=\"summary\">\n"
        let rows: [(String, String)] = [
            ("Layers analysed", "\(s.layers) (\(s.fitted) fitted)"),
            ("Over-trained (α < 2)", "\(s.overTrained)"),
            ("Under-trained (α > 6)", "\(s.underTrained)"),
            ("Failed fits or layers", "\(s.failed)"),
            ("Non-finite layers", "\(s.nonFinite)"),
            ("Tensors skipped", "\(s.skipped)"),
        ]
        let means: [(String, String)] = alphaColumns(r.options.fit).map { ("Mean " + $0.header, number(s.means[$0.mean])) }
        let more: [(String, String)] = [
            ("Mean α-weighted", number(s.means["alpha_weighted"])),
            ("Mean log spectral norm", number(s.means["log_spectral_norm"])),
            ("Mean stable rank", number(s.means["stable_rank"])),
            ("Fit options", "fit \(r.options.fit.rawValue), xmin_pos \(shortNumber(r.options.xminPos)), filter_zeros \(r.options.filterZeros)"),
        ]
        for (k, v) in rows + means + more { body += "<dt>\(escape(k))</dt><dd>\(v)</dd>\n" }
        body += "</dl>\n"

        body += "<h2 id=\"figures\">Model figures</h2>\n"
        if let other = c.comparedWith { body += "<p>Compared with <b>\(escape(other))</b> (layers matched by name).</p>\n" }
        body += "<div class=\"figures\">\n"
        for kind in c.modelKinds { body += figure(modelFolder + "/" + FigurePaths.model(kind, c.format), kind) + "\n" }
        body += "</div>\n"

        body += "<h2 id=\"layers\">Layers</h2>\n"
        if let reason = c.noLayerPagesReason, pages.isEmpty { body += "<p class=\"muted\">No per-layer figures: \(escape(reason)).</p>\n" }
        let alphas = alphaColumns(r.options.fit)
        body += "<table>\n<thead><tr><th>id</th><th>layer</th><th>kind</th><th>role</th><th>shape</th><th>λmax</th>"
        body += alphas.map { "<th>\(escape($0.header))</th>" }.joined()
        body += "<th>D KS</th><th>xmin KS</th><th>stable rank</th><th>warning</th></tr></thead>\n<tbody>\n"
        for (i, l) in r.layers.enumerated() {
            let f = flag(l)
            let name = pages.contains(i) ? "<a href=\"\(href(layerPage(l)))\">\(escape(l.name))</a>" : escape(l.name)
            body += "<tr class=\"\(f.cls)\"><td class=\"num\">\(l.id)</td><td>\(name)</td><td>\(l.kind.rawValue)</td>"
            body += "<td>\(escape(LayerRole.infer(name: l.name, kind: l.kind).rawValue))</td><td>\(l.shape.map(String.init).joined(separator: "×"))</td>"
            body += "<td class=\"num\">\(number(l.metrics?.lambdaMax, 4))</td>"
            body += alphas.map { "<td class=\"num\">\(number($0.value(l)))</td>" }.joined()
            body += "<td class=\"num\">\(number(l.ks?.result.fit?.D))</td><td class=\"num\">\(number(l.ks?.result.fit?.xmin))</td>"
            body += "<td class=\"num\">\(number(l.metrics?.stableRank))</td>"
            body += "<td>\(f.text.isEmpty ? "" : "<span class=\"badge \(f.cls)\">\(escape(f.text))</span>")</td></tr>\n"
        }
        body += "</tbody>\n</table>\n"

        body += "<h2 id=\"skipped\">Skipped tensors (\(r.skipped.count))</h2>\n"
        if !r.skipped.isEmpty {
            body += "<details><summary>show</summary>\n<table>\n<thead><tr><th>tensor</th><th>shape</th><th>dtype</th><th>reason</th></tr></thead>\n<tbody>\n"
            for t in r.skipped {
                body += "<tr><td>\(escape(t.name))</td><td>\(t.shape.map(String.init).joined(separator: "×"))</td><td>\(escape(t.dtype))</td><td>\(escape(t.reason))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n</details>\n"
        }
        body += "<h2 id=\"files\">Files</h2>\n<ul>\n"
        body += "<li><a href=\"\(analysisJSON)\">\(analysisJSON)</a>: the full analysis (htsr-analysis version \(r.version))</li>\n"
        body += "<li><a href=\"\(analysisCSV)\">\(analysisCSV)</a>: one row per layer, every column</li>\n"
        body += "<li><a href=\"\(summaryMarkdown)\">\(summaryMarkdown)</a>: this summary in Markdown</li>\n</ul>\n"
        return page(title: "htsr report: \(data.label)", body: body)
    }

    /// A layer's page: links back and to its neighbours, its figures, and every column of its row.
    public static func layer(_ data: AnalysisData, index i: Int, previous: Int?, next: Int?, _ c: ReportContents) -> String {
        let l = data.report.layers[i]
        var body = "<nav><a href=\"../index.html#layers\">↑ all layers</a>"
        if let p = previous { body += "<a href=\"\(href("../" + layerPage(data.report.layers[p])))\">← \(escape(data.report.layers[p].name))</a>" }
        if let n = next { body += "<a href=\"\(href("../" + layerPage(data.report.layers[n])))\">\(escape(data.report.layers[n].name)) →</a>" }
        body += "</nav>\n<h1>\(escape(l.name))</h1>\n"
        let f = flag(l)
        body += "<p>\(l.kind.rawValue), \(escape(LayerRole.infer(name: l.name, kind: l.kind).rawValue)), shape \(l.shape.map(String.init).joined(separator: "×")), \(l.numEvals) eigenvalues"
        body += f.text.isEmpty ? "</p>\n" : " <span class=\"badge \(f.cls)\">\(escape(f.text))</span></p>\n"
        body += "<div class=\"figures\">\n"
        let folder = URL(fileURLWithPath: FigurePaths.layerFolder(l)).lastPathComponent
        for kind in c.layerKinds { body += figure(folder + "/\(kind.rawValue).\(c.format.fileExtension)", kind) + "\n" }
        body += "</div>\n<h2>All columns</h2>\n<table>\n<tbody>\n"
        // The row as stored (it may hold columns this version does not model), in the
        // analyzer's column order, then any other columns sorted (JSON key order is not kept).
        let row = i < data.rows.count ? data.rows[i] : l.row
        let known = l.row.keys
        let knownSet = Set(known)
        for key in known.filter({ row[$0] != nil }) + row.keys.filter({ !knownSet.contains($0) }).sorted() {
            body += "<tr><th>\(escape(key))</th><td>\(escape(cellText(row[key] ?? .null)))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n"
        return page(title: "\(l.name) — htsr report: \(data.label)", body: body)
    }

    static func cellText(_ c: Cell) -> String {
        switch c {
        case let .int(i): return String(i)
        case let .double(d): return d.isFinite ? "\(d)" : "–"
        case let .string(s): return s
        case let .ints(a): return a.map(String.init).joined(separator: "×")
        case .null: return "–"
        }
    }
}
