import Foundation

/// Figures of a training run: loss curves, other metrics, per-layer α over steps (heatmap) and
/// per-layer learning rate over steps. Pure functions of `TrainingCurves`.
public enum TrainingFigures {
    /// The figures of `kinds` that the log has data for (e.g. no `train-metrics` without metrics).
    public static func figures(_ log: TrainingCurves, kinds: [FigureKind], title: String) -> [Figure] {
        kinds.compactMap { kind in
            switch kind {
            case .trainLoss: return loss(log, title: title)
            case .trainMetrics: return log.metricNames.contains(where: { !isLoss($0) }) ? metrics(log, title: title) : nil
            case .trainAlpha: return log.layers.contains(where: { $0.alpha.contains { $0 != nil } }) ? alphaHeatmap(log, title: title) : nil
            case .trainLearningRate: return learningRates(log, title: title)
            default: return nil
            }
        }
    }

    static func isLoss(_ metric: String) -> Bool { metric.lowercased().contains("loss") }

    static func steps(_ log: TrainingCurves) -> Axis {
        var axis = Axis("step")
        if let lo = log.steps.min(), let hi = log.steps.max(), hi > lo {
            axis.min = Double(lo)
            axis.max = Double(hi)
        }
        return axis
    }

    static func heading(_ log: TrainingCurves, _ title: String, _ what: String) -> String {
        "\(Markup.plain(title)): \(what)  (\(Markup.plain(log.model)), \(Markup.plain(log.data)), policy \(Markup.plain(log.policy)))"
    }

    /// A series of (step, value) for the steps where a value exists.
    static func curve(_ log: TrainingCurves, _ title: String, _ style: SeriesStyle, _ values: [Double?]) -> Series {
        var xs: [Double] = [], ys: [Double] = []
        for (step, v) in zip(log.steps, values) { if let v { xs.append(Double(step)); ys.append(v) } }
        return Series(title, .columns([xs, ys]), style)
    }

    /// The best step of the final line as a vertical line and a key entry.
    static func markBest(_ log: TrainingCurves, on panel: inout Panel, when metric: (String) -> Bool) {
        guard let best = log.best, metric(best.metric) else { return }
        let style = LineStyle(Style.grey, width: 1.2, dash: .dashed)
        panel.verticalLines.append(ReferenceLine(Double(best.step), style))
        panel.keyEntries.append(KeyEntry("best \(Markup.plain(best.metric)) = \(shortNumber(best.value, digits: 4)) at step \(best.step)", .line(style)))
    }

    /// `train_loss` and every metric whose name contains "loss", on a log axis when they are
    /// all positive and span more than a factor 20.
    public static func loss(_ log: TrainingCurves, title: String) -> Figure {
        var panel = Panel(title: heading(log, title, "loss"), x: steps(log), y: Axis("loss"))
        panel.series.append(curve(log, "train loss", .lines(LineStyle(Style.seriesColor(0))), log.trainLoss))
        for (k, name) in log.metricNames.filter(isLoss).enumerated() {
            panel.series.append(curve(log, Markup.plain(name), .linesPoints(LineStyle(Style.seriesColor(k + 1)), .circle, size: 0.7), log.values(of: name)))
        }
        let values = panel.series.flatMap { s -> [Double] in if case let .columns(c) = s.data { return c[1] } else { return [] } }
        if let lo = values.min(), let hi = values.max(), lo > 0, hi / lo > 20 {
            panel.y.scale = .log
            panel.y.min = lo / 1.3
            panel.y.max = hi * 1.3
        }
        markBest(log, on: &panel, when: isLoss)
        panel.emptyMessage = "no loss was logged"
        return Figure(name: FigureKind.trainLoss.rawValue, panel: panel)
    }

    /// Every metric whose name does not contain "loss" (accuracies, NRMSE, …) over steps.
    public static func metrics(_ log: TrainingCurves, title: String) -> Figure {
        var panel = Panel(title: heading(log, title, "metrics"), x: steps(log), y: Axis("value"))
        for (k, name) in log.metricNames.filter({ !isLoss($0) }).enumerated() {
            panel.series.append(curve(log, Markup.plain(name), .linesPoints(LineStyle(Style.seriesColor(k)), .circle, size: 0.7), log.values(of: name)))
        }
        markBest(log, on: &panel, when: { !isLoss($0) })
        panel.key = .bottomRight
        panel.emptyMessage = "no metric was logged"
        return Figure(name: FigureKind.trainMetrics.rawValue, panel: panel)
    }

    /// Cell edges for steps: halfway between neighbours, half a gap beyond the ends.
    static func cellEdges(_ steps: [Int]) -> [(Double, Double)] {
        let s = steps.map(Double.init)
        guard s.count > 1 else { return s.map { ($0 - 0.5, $0 + 0.5) } }
        return s.indices.map { i in
            let left = i > 0 ? (s[i - 1] + s[i]) / 2 : s[0] - (s[1] - s[0]) / 2
            let right = i + 1 < s.count ? (s[i] + s[i + 1]) / 2 : s[i] + (s[i] - s[i - 1]) / 2
            return (left, right)
        }
    }

    /// Layer tics on the y axis: every name when there are at most 40 layers, else every k-th.
    static func layerAxis(_ names: [String]) -> Axis {
        let every = max(1, Int((Double(names.count) / 40).rounded(.up)))
        let tics = names.enumerated().filter { $0.offset % every == 0 }.map { Tic(Markup.plain($0.element), Double($0.offset)) }
        return Axis("", min: -0.5, max: Double(names.count) - 0.5, tics: tics)
    }

    /// α of each layer (rows, depth order) at each logged step (columns), one cell per value;
    /// cells without a fit stay blank. The colour scale spans the α values seen.
    public static func alphaHeatmap(_ log: TrainingCurves, title: String) -> Figure {
        let names = log.layers.map(\.name)
        var panel = Panel(title: heading(log, title, "α per layer"), x: steps(log), y: layerAxis(names))
        let stepEdges = cellEdges(log.steps)
        var cols = [[Double]](repeating: [], count: 7)
        for (k, step) in log.steps.enumerated() {
            for (r, layer) in log.layers.enumerated() {
                guard k < layer.alpha.count, let a = layer.alpha[k] else { continue }
                // Each cell reaches 2% into its right neighbour, which is drawn over it: no
                // anti-aliasing seams between cells.
                let overlap = 0.02 * (stepEdges[k].1 - stepEdges[k].0)
                let values = [Double(step), Double(r), stepEdges[k].0, stepEdges[k].1 + overlap, Double(r) - 0.5, Double(r) + 0.52, a]
                for c in 0..<7 { cols[c].append(values[c]) }
            }
        }
        panel.series.append(Series(nil, .columns(cols), .paletteBoxes))
        if let lo = cols[6].min(), let hi = cols[6].max() {
            panel.colorScale = ColorScale(label: "α  (blank: not fitted)", min: lo, max: hi > lo ? hi : lo + 1)
        }
        if let first = stepEdges.first, let last = stepEdges.last {
            panel.x.min = first.0
            panel.x.max = last.1
        }
        panel.key = .none
        panel.emptyMessage = "no layer α was logged"
        return Figure(name: FigureKind.trainAlpha.rawValue, panel: panel, heightScale: names.count > 12 ? 1.4 : 1)
    }

    /// Each layer's learning rate over steps (colours in depth order) and the global rate
    /// (black, dashed); a log axis when the rates span more than a factor 20.
    public static func learningRates(_ log: TrainingCurves, title: String) -> Figure {
        var panel = Panel(title: heading(log, title, "learning rate per layer"), x: steps(log), y: Axis("learning rate"))
        for (k, layer) in log.layers.enumerated() {
            panel.series.append(curve(log, Markup.plain(layer.name), .lines(LineStyle(Style.seriesColor(k), width: 1.5)), layer.learningRate))
        }
        panel.series.append(curve(log, "global", .lines(LineStyle(Style.black, width: 2, dash: .dashed)), log.learningRate))
        let values = panel.series.flatMap { s -> [Double] in if case let .columns(c) = s.data { return c[1] } else { return [] } }
        if let lo = values.min(), let hi = values.max(), lo > 0, hi / lo > 20 {
            panel.y.scale = .log
            panel.y.min = lo / 1.3
            panel.y.max = hi * 1.3
        }
        panel.key = log.layers.count > 12 ? .none : .outsideRight
        panel.emptyMessage = "no learning rate was logged"
        return Figure(name: FigureKind.trainLearningRate.rawValue, panel: panel)
    }
}

extension Figure {
    init(name: String, panel: Panel, heightScale: Double) { self.init(name: name, panels: [panel], heightScale: heightScale) }
}
