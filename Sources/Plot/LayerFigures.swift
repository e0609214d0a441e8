import Analyzer
import Foundation
import PowerLaw

/// One analysed layer with its spectrum: what the per-layer figures draw.
public struct LayerSpectrum: Sendable {
    public var layer: LayerReport
    /// All eigenvalues, ascending.
    public var eigenvalues: [Double]
    /// The eigenvalues the fits used (all, or those above the zero threshold with `--filter-zeros`).
    public var fitValues: [Double]
    /// The Marchenko–Pastur bulk, when the analysis has one for this layer.
    public var marchenkoPastur: MarchenkoPastur?

    public init(layer: LayerReport, eigenvalues: [Double], options: AnalysisOptions, marchenkoPastur: MarchenkoPastur? = nil) {
        self.layer = layer
        self.eigenvalues = eigenvalues
        fitValues = options.filterZeros ? ZeroFilter.apply(eigenvalues, above: options.zeroThreshold) : eigenvalues
        self.marchenkoPastur = marchenkoPastur
    }
}

/// The five per-layer figures (ESD log-log, ESD linear, histogram of log10 λ, KS distance and
/// α versus candidate xmin) as pure functions of a `LayerSpectrum`.
public enum LayerFigures {
    /// The per-layer figure kinds, in the order they are drawn.
    public static let kinds: [FigureKind] = [.esdLogLog, .esdLinear, .logHistogram, .ksDistance, .ksAlpha]

    /// The figures of `kinds` for one layer; the KS scan is computed once if either KS figure is asked.
    public static func figures(_ s: LayerSpectrum, kinds: [FigureKind]) -> [Figure] {
        let scan = kinds.contains(.ksDistance) || kinds.contains(.ksAlpha) ? KSFit.scan(s.fitValues) : []
        return kinds.compactMap { kind in
            switch kind {
            case .esdLogLog: return esdLogLog(s)
            case .esdLinear: return esdLinear(s)
            case .logHistogram: return logHistogram(s)
            case .ksDistance: return ksDistance(s, scan: scan)
            case .ksAlpha: return ksAlpha(s, scan: scan)
            default: return nil
            }
        }
    }

    /// The title: the layer's name, kind and shape.
    static func title(_ s: LayerSpectrum, _ what: String) -> String {
        let l = s.layer
        return "\(what): \(Markup.plain(l.name))  (\(l.kind.rawValue) \(l.shape.map(String.init).joined(separator: "×")), \(s.eigenvalues.count) eigenvalues)"
    }

    /// The key text of a fit: `KS fit: α = 3.41, D = 0.052, n = 120, x_{min} = 1.23`.
    static func fitLabel(_ name: String, _ fit: PowerLawFit) -> String {
        "\(name): α = \(shortNumber(fit.alpha)), D = \(shortNumber(fit.D)), n = \(fit.tailCount), x_{min} = \(shortNumber(fit.xmin))"
    }

    /// The fits drawn on the spectrum figures: KS (solid) and Hill (dashed), or why each failed.
    static func fits(_ s: LayerSpectrum) -> [(name: String, result: FitResult?, style: LineStyle)] {
        [("KS fit", s.layer.ks?.result, Style.ksFit), ("Hill fit", s.layer.hill?.result, Style.hillFit)]
    }

    static func failureEntry(_ name: String, _ result: FitResult?) -> KeyEntry? {
        guard result?.fit == nil else { return nil }
        let reason = result?.failure.map { Markup.plain($0.description) } ?? "not available"
        return KeyEntry("\(name) failed: \(reason)", .line(LineStyle(Style.grey, width: 1, dash: .dotted)))
    }

    static func xminLine(_ fit: PowerLawFit, _ style: LineStyle) -> ReferenceLine {
        ReferenceLine(fit.xmin, LineStyle(style.color, width: 1.5, dash: .dotted))
    }

    /// ESD on log-log axes: the density histogram in log-spaced bins (of the positive
    /// eigenvalues), each successful fit's density `f · (α−1)/xmin · (λ/xmin)^(−α)` from xmin to
    /// λmax, where `f` = tail count / positive count makes it comparable with the histogram, and
    /// a dotted vertical line at each fit's xmin.
    public static func esdLogLog(_ s: LayerSpectrum) -> Figure {
        let positive = s.eigenvalues.filter { $0 > 0 }
        let zeros = s.eigenvalues.count - positive.count
        var panel = Panel(title: title(s, "ESD"), x: Axis("eigenvalue λ", scale: .log), y: Axis("density", scale: .log))
        if zeros > 0 { panel.title! += "; \(zeros) zero eigenvalues not shown" }
        guard let h = Histogram.logarithmic(positive, bins: Histogram.defaultBins(for: positive.count)) else {
            panel.emptyMessage = "no positive eigenvalues"
            return Figure(name: FigureKind.esdLogLog.rawValue, panel: panel)
        }
        let bins = (0..<h.binCount).filter { h.counts[$0] > 0 }
        let densities = bins.map { h.density($0) }
        panel.series.append(Series("ESD (\(positive.count) eigenvalues)", .columns([
            bins.map { (h.edges[$0] + h.edges[$0 + 1]) / 2 }, densities, bins.map { h.edges[$0 + 1] - h.edges[$0] },
        ]), .boxes(fill: Style.histogramFill, opacity: 0.75)))
        var lo = densities.min()!, hi = densities.max()!
        for (name, result, style) in fits(s) {
            guard let fit = result?.fit, fit.xmin > 0, fit.xmax > fit.xmin else {
                if let entry = failureEntry(name, result) { panel.keyEntries.append(entry) }
                continue
            }
            let weight = Double(fit.tailCount) / Double(positive.count)
            let c = weight * (fit.alpha - 1) / fit.xmin
            let expression = "\(formatNumber(c))*(x/\(formatNumber(fit.xmin)))**(-\(formatNumber(fit.alpha)))"
            let xs = (0...32).map { fit.xmin * pow(fit.xmax / fit.xmin, Double($0) / 32) }
            panel.series.append(Series(fitLabel(name, fit), .function(expression: expression, from: fit.xmin, to: fit.xmax), .lines(style),
                                       trace: [xs, xs.map { c * pow($0 / fit.xmin, -fit.alpha) }]))
            panel.verticalLines.append(xminLine(fit, style))
            lo = min(lo, c * pow(fit.xmax / fit.xmin, -fit.alpha))
            hi = max(hi, c)
        }
        panel.x.min = h.edges.first!
        panel.x.max = h.edges.last!
        // A steep fit can fall many decades below the histogram by λmax; it is cut off at
        // three decades below the emptiest bin rather than squashing the histogram.
        panel.y.min = max(lo, densities.min()! / 1000) / 2
        panel.y.max = hi * 4
        panel.key = .topRight
        return Figure(name: FigureKind.esdLogLog.rawValue, panel: panel)
    }

    /// ESD on linear axes: the density histogram, the KS xmin, and the Marchenko–Pastur bulk
    /// density with its edges when the analysis has one (scaled by the fraction of eigenvalues
    /// at or below λ+, so its area matches the bulk's share of the histogram).
    public static func esdLinear(_ s: LayerSpectrum) -> Figure {
        var panel = Panel(title: title(s, "ESD"), x: Axis("eigenvalue λ"), y: Axis("density"))
        guard let h = Histogram.linear(s.eigenvalues, bins: Histogram.defaultBins(for: s.eigenvalues.count)) else {
            return Figure(name: FigureKind.esdLinear.rawValue, panel: panel)
        }
        let bins = (0..<h.binCount).filter { h.counts[$0] > 0 }
        panel.series.append(Series("ESD (\(s.eigenvalues.count) eigenvalues)", .columns([
            bins.map { (h.edges[$0] + h.edges[$0 + 1]) / 2 }, bins.map { h.density($0) }, bins.map { h.edges[$0 + 1] - h.edges[$0] },
        ]), .boxes(fill: Style.histogramFill, opacity: 0.75)))
        var xmax = h.edges.last!
        var ymax = bins.map { h.density($0) }.max() ?? 1
        if let fit = s.layer.ks?.result.fit {
            panel.verticalLines.append(xminLine(fit, Style.ksFit))
            panel.keyEntries.append(KeyEntry("KS x_{min} = \(shortNumber(fit.xmin)) (α = \(shortNumber(fit.alpha)))", .line(xminLine(fit, Style.ksFit).style)))
        }
        if let mp = s.marchenkoPastur {
            let inBulk = s.eigenvalues.filter { $0 <= mp.lambdaPlus }.count
            let weight = Double(inBulk) / Double(s.eigenvalues.count)
            let from = mp.lambdaMinus + 1e-9 * (mp.lambdaPlus - mp.lambdaMinus)
            let label = "Marchenko–Pastur: σ^2 = \(shortNumber(mp.sigma2)), Q = \(shortNumber(mp.q)), λ_± = [\(shortNumber(mp.lambdaMinus)), \(shortNumber(mp.lambdaPlus))]"
            let xs = (0...64).map { from + (mp.lambdaPlus - from) * Double($0) / 64 }
            panel.series.append(Series(label, .function(expression: mp.gnuplotExpression(weight: weight), from: from, to: mp.lambdaPlus),
                                       .lines(Style.marchenkoPastur), trace: [xs, xs.map { weight * mp.density($0) }]))
            let edge = LineStyle(Style.marchenkoPastur.color, width: 1.5, dash: .dashed)
            panel.verticalLines += [ReferenceLine(mp.lambdaMinus, edge), ReferenceLine(mp.lambdaPlus, edge)]
            xmax = max(xmax, mp.lambdaPlus * 1.05)
            // For Q = 1 the density diverges at λ− = 0; the y range follows the curve from 2% into
            // the bulk, so the histogram stays readable.
            let grid = (1...50).map { mp.lambdaMinus + (mp.lambdaPlus - mp.lambdaMinus) * (0.02 + 0.96 * Double($0) / 50) }
            ymax = max(ymax, weight * (grid.map(mp.density).max() ?? 0))
        }
        panel.x.min = min(0, h.edges.first!)
        panel.x.max = xmax
        panel.y.min = 0
        panel.y.max = ymax * 1.15
        panel.key = .topRight
        return Figure(name: FigureKind.esdLinear.rawValue, panel: panel)
    }

    /// Counts of log10 λ (positive eigenvalues), with vertical lines at log10 of each fit's xmin
    /// and at log10 λmax (the fits' xmax).
    public static func logHistogram(_ s: LayerSpectrum) -> Figure {
        let logs = s.eigenvalues.filter { $0 > 0 }.map { log10($0) }
        var panel = Panel(title: title(s, "log_{10} ESD"), x: Axis("log_{10} λ"), y: Axis("count"))
        guard let h = Histogram.linear(logs, bins: Histogram.defaultBins(for: logs.count)) else {
            panel.emptyMessage = "no positive eigenvalues"
            return Figure(name: FigureKind.logHistogram.rawValue, panel: panel)
        }
        let bins = (0..<h.binCount).filter { h.counts[$0] > 0 }
        panel.series.append(Series("log_{10} λ (\(logs.count) eigenvalues)", .columns([
            bins.map { (h.edges[$0] + h.edges[$0 + 1]) / 2 }, bins.map { Double(h.counts[$0]) }, bins.map { h.edges[$0 + 1] - h.edges[$0] },
        ]), .boxes(fill: Style.histogramFill, opacity: 0.75)))
        for (name, result, style) in fits(s) {
            guard let fit = result?.fit, fit.xmin > 0 else { continue }
            let line = ReferenceLine(log10(fit.xmin), LineStyle(style.color, width: 2, dash: style.dash))
            panel.verticalLines.append(line)
            panel.keyEntries.append(KeyEntry("\(name) x_{min} = \(shortNumber(fit.xmin))", .line(line.style)))
        }
        if let top = s.eigenvalues.last, top > 0 {
            let line = ReferenceLine(log10(top), LineStyle(Style.black, width: 1.5, dash: .dotted))
            panel.verticalLines.append(line)
            panel.keyEntries.append(KeyEntry("x_{max} = λ_{max} = \(shortNumber(top))", .line(line.style)))
        }
        let pad = 0.02 * max(h.edges.last! - h.edges.first!, 0.1)
        panel.x.min = h.edges.first! - pad
        panel.x.max = h.edges.last! + pad
        panel.y.min = 0
        panel.key = .topLeft
        return Figure(name: FigureKind.logHistogram.rawValue, panel: panel)
    }

    /// KS distance D of every candidate xmin with α > 1 (from `KSFit.scan`), the chosen
    /// candidate marked, and the Hill fit's xmin as a vertical line.
    public static func ksDistance(_ s: LayerSpectrum, scan: [KSCandidate]) -> Figure {
        let valid = scan.filter { ($0.alpha ?? 0) > 1 && $0.D != nil && $0.xmin > 0 }
        var panel = Panel(title: title(s, "KS distance"), x: Axis("candidate x_{min}", scale: .log), y: Axis("KS distance D"))
        panel.emptyMessage = "no candidate x_{min} with α > 1"
        panel.series.append(Series("D(x_{min}), \(valid.count) candidates", .columns([valid.map(\.xmin), valid.map { $0.D! }]),
                                   .lines(LineStyle(Style.black, width: 1.5))))
        mark(s, on: &panel, valid: valid, value: { $0.D })
        if let lo = valid.first?.xmin, let hi = valid.last?.xmin, hi > lo {
            panel.x.min = lo
            panel.x.max = hi
        }
        panel.y.min = 0
        panel.key = .topLeft
        return Figure(name: FigureKind.ksDistance.rawValue, panel: panel)
    }

    /// The MLE α of every candidate xmin (from `KSFit.scan`), the chosen candidate marked, the
    /// α = 2 and α = 6 references; the y range is cut at max(8, 2·α of the fits) because α
    /// diverges for the last few candidates.
    public static func ksAlpha(_ s: LayerSpectrum, scan: [KSCandidate]) -> Figure {
        let valid = scan.filter { $0.alpha != nil && $0.xmin > 0 }
        var panel = Panel(title: title(s, "α versus x_{min}"), x: Axis("candidate x_{min}", scale: .log), y: Axis("α (MLE)"))
        panel.emptyMessage = "no candidate x_{min} with a defined α"
        panel.series.append(Series("α(x_{min}), \(valid.count) candidates", .columns([valid.map(\.xmin), valid.map { $0.alpha! }]),
                                   .lines(LineStyle(Style.black, width: 1.5))))
        mark(s, on: &panel, valid: valid, value: { $0.alpha })
        let fitted = [s.layer.ks?.alpha, s.layer.hill?.alpha].compactMap { $0 }
        if let lo = valid.first?.xmin, let hi = valid.last?.xmin, hi > lo {
            panel.x.min = lo
            panel.x.max = hi
            let top = valid.map { $0.alpha! }.max()!
            panel.y.min = max(0, min(1, valid.map { $0.alpha! }.min()!))
            panel.y.max = min(top * 1.02, max(8, 2 * (fitted.max() ?? 4)))
        }
        let ref = LineStyle(Style.grey, width: 1, dash: .dashed)
        panel.horizontalLines = [ReferenceLine(2, ref), ReferenceLine(6, ref)]
        panel.key = .topLeft
        return Figure(name: FigureKind.ksAlpha.rawValue, panel: panel)
    }

    /// Marks the KS choice with a point and the Hill xmin (with its point) on a scan panel.
    private static func mark(_ s: LayerSpectrum, on panel: inout Panel, valid: [KSCandidate], value: (KSCandidate) -> Double?) {
        if let fit = s.layer.ks?.result.fit, let c = valid.first(where: { $0.index == fit.xminIndex }), let v = value(c) {
            panel.series.append(Series("KS choice: x_{min} = \(shortNumber(fit.xmin)), α = \(shortNumber(fit.alpha)), D = \(shortNumber(fit.D))",
                                       .columns([[c.xmin], [v]]), .points(Style.ksFit.color, .circle, size: 2)))
        }
        if let fit = s.layer.hill?.result.fit {
            panel.verticalLines.append(xminLine(fit, Style.hillFit))
            if let c = valid.first(where: { $0.index == fit.xminIndex }), let v = value(c) {
                panel.series.append(Series("Hill: x_{min} = \(shortNumber(fit.xmin)), α = \(shortNumber(fit.alpha)), D = \(shortNumber(fit.D))",
                                           .columns([[c.xmin], [v]]), .points(Style.hillFit.color, .square, size: 1.6)))
            }
        }
    }
}
