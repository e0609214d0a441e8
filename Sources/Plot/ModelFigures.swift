import Analyzer
import Foundation

/// Which α the model figures show.
public enum AlphaChoice: String, Sendable, CaseIterable, Codable {
    /// The fit selected with `--fit` (the `alpha` column).
    case fit
    /// The Hill estimator (`hill_alpha`, TempBalance's PL_Alpha_Hill).
    case hill
    /// The KS-selected MLE (`ks_alpha`).
    case ks

    public func alpha(_ l: LayerReport) -> Double? {
        guard l.status == .ok else { return nil }
        switch self {
        case .fit: return l.fit?.alpha
        case .hill: return l.hill?.alpha
        case .ks: return l.ks?.alpha
        }
    }

    /// The axis label, e.g. `α (KS fit)`.
    public func label(selected: FitMethod) -> String {
        switch self {
        case .fit: return "α (\(selected.rawValue.uppercased()) fit)"
        case .hill: return "α (Hill)"
        case .ks: return "α (KS fit)"
        }
    }
}

import PowerLaw

/// Model-level figures: α by depth, the histogram of α, λmax and stable rank by depth, and
/// the comparison of two analyses. Pure functions of the layer reports.
public enum ModelFigures {
    /// The α = 2 and α = 6 bands, dashed boundaries and their key entries.
    static func addAlphaBands(_ panel: inout Panel, horizontal: Bool) {
        let boundary = LineStyle(Style.grey, width: 1.2, dash: .dashed)
        if horizontal {
            panel.bands = [Band(from: nil, to: 2, color: Style.overTrainedBand, opacity: Style.bandOpacity),
                           Band(from: 6, to: nil, color: Style.underTrainedBand, opacity: Style.bandOpacity)]
            panel.horizontalLines = [ReferenceLine(2, boundary), ReferenceLine(6, boundary)]
        } else {
            panel.verticalLines = [ReferenceLine(2, boundary), ReferenceLine(6, boundary)]
        }
        panel.keyEntries = [KeyEntry("α < 2: over-trained", .fill(Style.overTrainedBand, opacity: 0.35), shortTitle: "α < 2"),
                            KeyEntry("α > 6: under-trained", .fill(Style.underTrainedBand, opacity: 0.35), shortTitle: "α > 6")]
    }

    /// One points series per role present, in `LayerRole.allCases` order.
    static func byRole(_ layers: [LayerReport], x: (LayerReport) -> Double?, y: (LayerReport) -> Double?) -> [Series] {
        LayerRole.allCases.compactMap { role in
            var xs: [Double] = [], ys: [Double] = []
            for l in layers where LayerRole.infer(name: l.name, kind: l.kind) == role {
                if let a = x(l), let b = y(l), a.isFinite, b.isFinite { xs.append(a); ys.append(b) }
            }
            guard !xs.isEmpty else { return nil }
            let mark = Style.mark(for: role)
            return Series(role.rawValue, .columns([xs, ys]), .points(mark.color, mark.shape, size: 1.3), shortTitle: role.shortName)
        }
    }

    /// The x axis of the by-depth figures: `layer_id`, which numbers the model's layers in its
    /// forward order (or natural name order when the analysis had none; the label says which).
    static func depthAxis(_ report: AnalysisReport) -> Axis {
        let order = report.order.map { $0.method == .natural ? "natural name order" : "forward order" } ?? "checkpoint order"
        return Axis(Markup.plain("layer_id") + " (\(order))", min: -0.5, max: Double(max(report.layers.map(\.id).max() ?? 0, 0)) + 0.5)
    }

    /// A y range holding the values and the α = 2 and α = 6 boundaries.
    static func alphaRange(_ values: [Double]) -> (Double, Double) {
        let lo = values.min() ?? 2, hi = values.max() ?? 6
        return (max(0, min(1.5, lo - 0.25)), max(6.5, hi + 0.05 * (hi - lo) + 0.25))
    }

    /// α of each layer by depth (`layer_id`, forward order), coloured by role, over the bands.
    public static func alphaDepth(_ report: AnalysisReport, choice: AlphaChoice, title: String) -> Figure {
        let layers = report.layers
        let alphas = layers.compactMap(choice.alpha)
        let missing = layers.count - alphas.count
        var panel = Panel(title: "\(Markup.plain(title)): α by depth" + (missing > 0 ? " (\(missing) layers without a fit)" : ""),
                          x: depthAxis(report), y: Axis(choice.label(selected: report.options.fit)))
        panel.series = byRole(layers, x: { Double($0.id) }, y: choice.alpha)
        (panel.y.min, panel.y.max) = alphaRange(alphas)
        addAlphaBands(&panel, horizontal: true)
        panel.key = .auto
        panel.emptyMessage = "no layer has a fit"
        return Figure(name: FigureKind.alphaDepth.rawValue, panel: panel)
    }

    /// The distribution of α over layers: bins of width 0.25 (fewer and wider when α spreads
    /// over more than 15), with the α = 2 and α = 6 lines.
    public static func alphaHistogram(_ report: AnalysisReport, choice: AlphaChoice, title: String) -> Figure {
        let alphas = report.layers.compactMap(choice.alpha)
        var panel = Panel(title: "\(Markup.plain(title)): distribution of α over \(alphas.count) layers",
                          x: Axis(choice.label(selected: report.options.fit)), y: Axis("layers"))
        panel.emptyMessage = "no layer has a fit"
        if let lo = alphas.min(), let hi = alphas.max() {
            let width = max(0.25, ((hi - lo) / 60 * 4).rounded(.up) / 4)
            let start = (lo / width).rounded(.down) * width
            let n = max(1, Int(((hi - start) / width).rounded(.down)) + 1)
            var counts = [Double](repeating: 0, count: n)
            for a in alphas { counts[min(n - 1, Int((a - start) / width))] += 1 }
            let bins = (0..<n).filter { counts[$0] > 0 }
            panel.series.append(Series("\(alphas.count) layers", .columns([
                bins.map { start + (Double($0) + 0.5) * width }, bins.map { counts[$0] }, bins.map { _ in width * 0.92 },
            ]), .boxes(fill: Style.histogramFill, opacity: 0.85)))
            panel.x.min = min(1, start - width)
            panel.x.max = max(7, start + Double(n + 1) * width)
            panel.y.min = 0
            panel.y.max = (counts.max() ?? 1) * 1.15 + 0.5
        }
        addAlphaBands(&panel, horizontal: false)
        panel.bands = []
        panel.keyEntries = [KeyEntry("α = 2 and α = 6", .line(LineStyle(Style.grey, width: 1.2, dash: .dashed)))]
        panel.key = .topRight
        return Figure(name: FigureKind.alphaHistogram.rawValue, panel: panel)
    }

    /// λmax (log axis) and stable rank Σλ/λmax by depth, stacked, coloured by role.
    public static func lambdaMaxDepth(_ report: AnalysisReport, title: String) -> Figure {
        let layers = report.layers.filter { $0.status == .ok }
        let lmax: (LayerReport) -> Double? = { l in l.metrics.map(\.lambdaMax).flatMap { $0 > 0 ? $0 : nil } }
        var top = Panel(title: "\(Markup.plain(title)): λ_{max} and stable rank by depth", x: depthAxis(report),
                        y: Axis("λ_{max}", scale: .log))
        top.series = byRole(layers, x: { Double($0.id) }, y: lmax)
        let values = layers.compactMap(lmax)
        if let lo = values.min(), let hi = values.max() {
            top.y.min = lo / 1.5
            top.y.max = hi * 1.5
        }
        var bottom = Panel(x: depthAxis(report), y: Axis("stable rank Σλ / λ_{max}"))
        bottom.series = byRole(layers, x: { Double($0.id) }, y: { $0.metrics?.stableRank })
        bottom.y.min = 0
        // One key for both panels (the same roles): in the bottom panel where its points leave
        // room, else below the figure, so the two plots keep equal heights.
        top.key = .none
        bottom.key = .auto
        return Figure(name: FigureKind.lambdaMaxDepth.rawValue, panels: [top, bottom], heightScale: 1.6)
    }

    /// A layer present in both analyses.
    public struct LayerPair: Sendable {
        public var a: LayerReport
        public var b: LayerReport
    }

    /// Layers of `a` and `b` with the same name, in `a`'s order.
    public static func matched(_ a: AnalysisReport, _ b: AnalysisReport) -> [LayerPair] {
        var byName: [String: LayerReport] = [:]
        for l in b.layers { byName[l.name] = l }
        return a.layers.compactMap { l in byName[l.name].map { LayerPair(a: l, b: $0) } }
    }

    /// α in A against α in B for the layers both have (matched by name), coloured by role, with
    /// the diagonal α_B = α_A and the α = 2 and α = 6 lines on both axes.
    public static func compareScatter(_ a: AnalysisReport, _ b: AnalysisReport, nameA: String, nameB: String, choice: AlphaChoice) -> Figure {
        let pairs = matched(a, b)
        let xs = pairs.map(\.a), ys = Dictionary(pairs.map { ($0.a.name, $0.b) }, uniquingKeysWith: { x, _ in x })
        let both = pairs.filter { choice.alpha($0.a) != nil && choice.alpha($0.b) != nil }
        var panel = Panel(title: "α: \(Markup.plain(nameA)) vs \(Markup.plain(nameB)) (\(both.count) matched layers)",
                          x: Axis("\(choice.label(selected: a.options.fit)) — \(Markup.plain(nameA))"),
                          y: Axis("\(choice.label(selected: b.options.fit)) — \(Markup.plain(nameB))"))
        panel.series = byRole(xs, x: choice.alpha, y: { ys[$0.name].flatMap(choice.alpha) })
        panel.emptyMessage = "no layer is fitted in both analyses"
        let values = both.flatMap { [choice.alpha($0.a)!, choice.alpha($0.b)!] }
        let (lo, hi) = alphaRange(values)
        panel.x.min = lo; panel.x.max = hi
        panel.y.min = lo; panel.y.max = hi
        panel.series.insert(Series("α_B = α_A", .function(expression: "x", from: lo, to: hi), .lines(LineStyle(Style.black, width: 1, dash: .dashed)),
                                   trace: [[lo, hi], [lo, hi]]), at: 0)
        let ref = LineStyle(Style.grey, width: 1, dash: .dotted)
        panel.verticalLines = [ReferenceLine(2, ref), ReferenceLine(6, ref)]
        panel.horizontalLines = [ReferenceLine(2, ref), ReferenceLine(6, ref)]
        panel.key = .auto
        return Figure(name: FigureKind.compareScatter.rawValue, panel: panel)
    }

    /// `Δα (KS fit)`, or `Δα (B: Hill, A: KS fit)` when the two analyses' α differ in kind.
    static func deltaLabel(_ a: AnalysisReport, _ b: AnalysisReport, _ choice: AlphaChoice) -> String {
        let la = choice.label(selected: a.options.fit), lb = choice.label(selected: b.options.fit)
        if la == lb { return "Δ" + la }
        return "Δα (B: \(lb.dropFirst(3).dropLast()), A: \(la.dropFirst(3).dropLast()))"
    }

    /// Δα = α_B − α_A per matched layer at A's depth, as impulses coloured by role.
    public static func compareDelta(_ a: AnalysisReport, _ b: AnalysisReport, nameA: String, nameB: String, choice: AlphaChoice) -> Figure {
        let pairs = matched(a, b)
        var delta: [String: Double] = [:]
        for p in pairs { if let x = choice.alpha(p.a), let y = choice.alpha(p.b) { delta[p.a.name] = y - x } }
        var panel = Panel(title: "Δα = α(\(Markup.plain(nameB))) − α(\(Markup.plain(nameA))) by depth (\(delta.count) matched layers)",
                          x: depthAxis(a), y: Axis(deltaLabel(a, b, choice)))
        panel.emptyMessage = "no layer is fitted in both analyses"
        for series in byRole(pairs.map(\.a), x: { Double($0.id) }, y: { delta[$0.name] }) {
            guard case let .points(color, _, _) = series.style else { continue }
            panel.series.append(Series(nil, series.data, .impulses(LineStyle(color, width: 2))))
            panel.series.append(series)
        }
        panel.horizontalLines = [ReferenceLine(0, LineStyle(Style.black, width: 1))]
        let m = max(0.5, (delta.values.map(abs).max() ?? 0) * 1.1)
        panel.y.min = -m
        panel.y.max = m
        panel.key = .auto
        return Figure(name: FigureKind.compareDelta.rawValue, panel: panel)
    }
}
