import Foundation

/// Figures of training runs: losses, other metrics, per-layer α over steps (heatmap), and the
/// global learning rate with each layer's multiplier. Pure functions of `TrainingCurves`.
///
/// One run, or several runs overlaid: runs are grouped (`TrainingRunGroup`, e.g. baseline and
/// TempBalance, each over seeds); with one group the colours tell the quantities apart, with
/// several each group has one colour and the quantities differ by dash. A group of several runs
/// is drawn as its mean with a band from the runs' minimum to their maximum.
public enum TrainingFigures {
    /// The figures of `kinds` that one run's log has data for (e.g. no `train-metrics` without metrics).
    public static func figures(_ log: TrainingCurves, kinds: [FigureKind], title: String) -> [Figure] {
        figures([TrainingRunGroup(name: title, runs: [log])], kinds: kinds, title: title)
    }

    /// The figures of `kinds` that the groups' runs have data for.
    public static func figures(_ groups: [TrainingRunGroup], kinds: [FigureKind], title: String) -> [Figure] {
        let runs = groups.flatMap(\.runs)
        return kinds.compactMap { kind in
            switch kind {
            case .trainLoss: return loss(groups, title: title)
            case .trainMetrics: return metricNames(runs).contains(where: { !isLoss($0) }) ? metrics(groups, title: title) : nil
            case .trainAlpha:
                return runs.contains { $0.layers.contains { $0.alpha.contains { $0 != nil } } } ? alphaHeatmap(groups, title: title) : nil
            case .trainLearningRate: return learningRates(groups, title: title)
            default: return nil
            }
        }
    }

    static func isLoss(_ metric: String) -> Bool { metric.lowercased().contains("loss") }

    /// The metric names with a value in some run, sorted.
    static func metricNames(_ runs: [TrainingCurves]) -> [String] { Array(Set(runs.flatMap(\.metricNames))).sorted() }

    /// A logged name in the figures' words (one style for every key and axis): `train_loss` →
    /// `train loss`, `test_accuracy` → `test accuracy`, `val_nrmse` → `validation nRMSE`.
    public static func label(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == " " }).map { word -> String in
            switch word.lowercased() {
            case "nrmse": return "nRMSE"
            case "rmse": return "RMSE"
            case "mse": return "MSE"
            case "mae": return "MAE"
            case "val": return "validation"
            case "acc": return "accuracy"
            case "lr": return "learning rate"
            default: return String(word)
            }
        }
        return Markup.plain(words.joined(separator: " "))
    }

    /// The y label of several quantities: the one label, or the last word they share
    /// (`train accuracy`, `test accuracy` → `accuracy`), else `value`.
    static func commonLabel(_ labels: [String]) -> String {
        guard let first = labels.first else { return "value" }
        if labels.count == 1 { return first }
        let last = labels.map { $0.split(separator: " ").last.map(String.init) ?? $0 }
        return Set(last).count == 1 ? last[0] : "value"
    }

    static func steps(_ groups: [TrainingRunGroup]) -> Axis {
        var axis = Axis("step")
        let steps = groups.flatMap { $0.runs.flatMap(\.steps) }
        if let lo = steps.min(), let hi = steps.max(), hi > lo {
            axis.min = Double(lo)
            axis.max = Double(hi)
        }
        return axis
    }

    /// `title: what  (model, data, policy P)`, naming only what all the runs share.
    static func heading(_ groups: [TrainingRunGroup], _ title: String, _ what: String) -> String {
        let runs = groups.flatMap(\.runs)
        var facts: [String] = []
        for value in [runs.map(\.model), runs.map(\.data)] where Set(value).count == 1 { facts.append(Markup.plain(value[0])) }
        if groups.count == 1, let policy = runs.first?.policy, runs.allSatisfy({ $0.policy == policy }) {
            facts.append("policy " + Markup.plain(policy))
        }
        let counts = groups.map(\.runs.count)
        if counts.contains(where: { $0 > 1 }) {
            facts.append(Set(counts).count == 1 ? "\(counts[0]) runs each" : groups.map { "\(Markup.plain($0.name)) \($0.runs.count) runs" }.joined(separator: ", "))
        }
        return "\(Markup.plain(title)): \(what)" + (facts.isEmpty ? "" : "  (\(facts.joined(separator: ", ")))")
    }

    /// The dash of the q-th quantity when colours tell groups apart.
    static func dash(_ q: Int) -> Dash { [Dash.solid, .dashed, .dotted, .dashDot][q % 4] }

    /// The key entry of the bands.
    static let bandEntry = KeyEntry("band: min–max over runs", .fill(Style.grey, opacity: 0.3), shortTitle: "min–max")
    static let bandOpacity = 0.2

    /// A quantity of the runs: its key label and its values per step.
    struct Quantity {
        var label: String
        var values: (TrainingCurves) -> [Double?]
        /// With one group: drawn as a plain line (else with points).
        var plain: Bool
    }

    /// Each group's mean of each quantity over its runs, with the min–max band where runs
    /// differ; the y values drawn are returned for the axis scale. The key: with one group, a
    /// line per quantity; with several groups and one quantity, a line per group; with several
    /// of both, one entry per group (its colour) and one per quantity (its dash).
    @discardableResult
    static func draw(_ quantities: [Quantity], of groups: [TrainingRunGroup], colorOffset: Int, into panel: inout Panel) -> [Double] {
        var drawn: [Double] = []
        var banded = false
        let factorized = groups.count > 1 && quantities.count > 1
        for (g, group) in groups.enumerated() {
            for (q, quantity) in quantities.enumerated() {
                let s = group.summary(quantity.values)
                guard !s.isEmpty else { continue }
                let line: LineStyle
                let style: SeriesStyle
                if groups.count == 1 {
                    line = LineStyle(Style.seriesColor(q + colorOffset))
                    style = quantity.plain ? .lines(line) : .linesPoints(line, .circle, size: 0.7)
                } else {
                    line = LineStyle(Style.seriesColor(g), dash: dash(q))
                    style = .lines(line)
                }
                if s.hasSpread {
                    panel.series.append(Series(nil, .columns([s.steps, s.low, s.high]), .band(line.color, opacity: bandOpacity)))
                    banded = true
                }
                let title = factorized ? nil : (groups.count == 1 ? quantity.label : Markup.plain(group.name))
                panel.series.append(Series(title, .columns([s.steps, s.mean]), style))
                drawn += s.low + s.high
            }
        }
        if factorized {
            // `train loss`, short `train` (the axis says "loss").
            let unit = " " + panel.y.label
            for (g, group) in groups.enumerated() {
                panel.keyEntries.append(KeyEntry(Markup.plain(group.name), .line(LineStyle(Style.seriesColor(g)))))
            }
            for (q, quantity) in quantities.enumerated() {
                let short = quantity.label.hasSuffix(unit) ? String(quantity.label.dropLast(unit.count)) : nil
                panel.keyEntries.append(KeyEntry(quantity.label, .line(LineStyle(Style.grey, dash: dash(q))), shortTitle: short))
            }
        }
        if banded { panel.keyEntries.append(bandEntry) }
        return drawn
    }

    /// A log y axis when the values are all positive and span more than a factor 20.
    static func logScaleIfWide(_ values: [Double], _ axis: inout Axis) {
        if let lo = values.min(), let hi = values.max(), lo > 0, hi / lo > 20 {
            axis.scale = .log
            axis.min = lo / 1.3
            axis.max = hi * 1.3
        }
    }

    /// The best step of a single run's final line as a vertical line and a key entry.
    static func markBest(_ groups: [TrainingRunGroup], on panel: inout Panel, when metric: (String) -> Bool) {
        guard groups.count == 1, groups[0].runs.count == 1, let best = groups[0].runs[0].best, metric(best.metric) else { return }
        let style = LineStyle(Style.grey, width: 1.2, dash: .dashed)
        panel.verticalLines.append(ReferenceLine(Double(best.step), style))
        panel.keyEntries.append(KeyEntry("best \(label(best.metric)) = \(shortNumber(best.value, digits: 4)) at step \(best.step)", .line(style)))
    }

    /// The train loss and every metric whose name contains "loss", on a log axis when they are
    /// all positive and span more than a factor 20.
    public static func loss(_ log: TrainingCurves, title: String) -> Figure { loss([TrainingRunGroup(name: title, runs: [log])], title: title) }

    public static func loss(_ groups: [TrainingRunGroup], title: String) -> Figure {
        var panel = Panel(title: heading(groups, title, "loss"), x: steps(groups), y: Axis("loss"))
        let names = metricNames(groups.flatMap(\.runs)).filter(isLoss)
        let quantities = [Quantity(label: label("train_loss"), values: \.trainLoss, plain: true)]
            + names.map { name in Quantity(label: label(name), values: { $0.values(of: name) }, plain: false) }
        logScaleIfWide(draw(quantities, of: groups, colorOffset: 0, into: &panel), &panel.y)
        markBest(groups, on: &panel, when: isLoss)
        panel.emptyMessage = "no loss was logged"
        return Figure(name: FigureKind.trainLoss.rawValue, panel: panel)
    }

    /// Every metric whose name does not contain "loss" (accuracies, nRMSE, …) over steps.
    public static func metrics(_ log: TrainingCurves, title: String) -> Figure { metrics([TrainingRunGroup(name: title, runs: [log])], title: title) }

    public static func metrics(_ groups: [TrainingRunGroup], title: String) -> Figure {
        let names = metricNames(groups.flatMap(\.runs)).filter { !isLoss($0) }
        var panel = Panel(title: heading(groups, title, "metrics"), x: steps(groups), y: Axis(commonLabel(names.map(label))))
        draw(names.map { name in Quantity(label: label(name), values: { $0.values(of: name) }, plain: false) }, of: groups, colorOffset: 0, into: &panel)
        markBest(groups, on: &panel, when: { !isLoss($0) })
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

    /// The layer axis (the log's layers in forward order, the first at the bottom): every name
    /// when there are at most 40 layers, else every k-th.
    static func layerAxis(_ names: [String]) -> Axis {
        let every = max(1, Int((Double(names.count) / 40).rounded(.up)))
        let tics = names.enumerated().filter { $0.offset % every == 0 }.map { Tic(Markup.plain($0.element), Double($0.offset)) }
        return Axis("layer (forward order)", min: -0.5, max: Double(names.count) - 0.5, tics: tics)
    }

    /// α of each layer (rows, forward order) at each logged step (columns), one cell per value;
    /// cells without a fit stay blank. The colour scale spans the α values seen.
    public static func alphaHeatmap(_ log: TrainingCurves, title: String) -> Figure {
        alphaHeatmap([TrainingRunGroup(name: title, runs: [log])], title: title)
    }

    /// One heatmap per group (the mean α over its runs), stacked, on one colour scale.
    public static func alphaHeatmap(_ groups: [TrainingRunGroup], title: String) -> Figure {
        var names: [String] = []
        for g in groups { for n in g.layerNames where !names.contains(n) { names.append(n) } }
        var panels: [Panel] = []
        for group in groups {
            let title = groups.count == 1 && group.runs.count == 1 ? heading(groups, title, "α per layer")
                : "\(Markup.plain(title)): α per layer, \(group.label)\(group.runs.count > 1 ? ", mean over \(group.runs.count) runs" : "")"
            var panel = Panel(title: title, x: steps(groups), y: layerAxis(names))
            // The group in the axis label too, for figures drawn without titles (paper preset).
            if groups.count > 1 { panel.y.label = "\(group.label): \(panel.y.label)" }
            let steps = Array(Set(group.runs.flatMap(\.steps))).sorted()
            let edges = cellEdges(steps)
            let column = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($0.element, $0.offset) })
            var cols = [[Double]](repeating: [], count: 7)
            for (r, name) in names.enumerated() {
                let s = group.summary { run in run.layers.first { $0.name == name }?.alpha ?? [] }
                for (step, a) in zip(s.steps, s.mean) {
                    let k = column[Int(step)]!
                    // Each cell reaches 2% into its right neighbour, which is drawn over it: no
                    // anti-aliasing seams between cells.
                    let overlap = 0.02 * (edges[k].1 - edges[k].0)
                    let values = [step, Double(r), edges[k].0, edges[k].1 + overlap, Double(r) - 0.5, Double(r) + 0.52, a]
                    for c in 0..<7 { cols[c].append(values[c]) }
                }
            }
            panel.series.append(Series(nil, .columns(cols), .paletteBoxes))
            panel.key = .none
            panel.emptyMessage = "no layer α was logged"
            panels.append(panel)
        }
        let alphas = panels.flatMap { p -> [Double] in if case let .columns(c) = p.series[0].data { return c[6] } else { return [] } }
        if let lo = alphas.min(), let hi = alphas.max() {
            for i in panels.indices {
                panels[i].colorScale = ColorScale(label: "α  (blank: not fitted)", min: lo, max: hi > lo ? hi : lo + 1)
            }
        }
        let tall = names.count > 12
        let scale = groups.count == 1 ? (tall ? 1.4 : 1) : Double(groups.count) * (tall ? 0.9 : 0.7)
        return Figure(name: FigureKind.trainAlpha.rawValue, panels: panels, heightScale: scale)
    }

    /// The global learning rate η over steps and each layer's multiplier (its rate / η), both on
    /// linear axes (multipliers near 1 stay readable when η decays by decades).
    public static func learningRates(_ log: TrainingCurves, title: String) -> Figure {
        learningRates([TrainingRunGroup(name: title, runs: [log])], title: title)
    }

    /// η of every group in one panel, then a multiplier panel per group whose multipliers are
    /// not all 1 (means over its runs; colours in forward order, a key up to 12 layers).
    public static func learningRates(_ groups: [TrainingRunGroup], title: String) -> Figure {
        var top = Panel(title: heading(groups, title, "learning rate"), x: steps(groups), y: Axis("η (learning rate)"))
        if groups.count == 1 {
            let s = groups[0].summary(\.learningRate)
            if !s.isEmpty {
                if s.hasSpread { top.series.append(Series(nil, .columns([s.steps, s.low, s.high]), .band(Style.black, opacity: bandOpacity))) }
                top.series.append(Series("η (global)", .columns([s.steps, s.mean]), .lines(LineStyle(Style.black, width: 2))))
            }
        } else {
            draw([Quantity(label: "η", values: \.learningRate, plain: true)], of: groups, colorOffset: 0, into: &top)
        }
        top.y.min = 0
        top.emptyMessage = "no learning rate was logged"
        var panels = [top]
        var uniform: [String] = []
        for group in groups {
            let names = group.layerNames
            let summaries = names.map { name in group.summary { run in run.multipliers(of: name) } }
            guard summaries.contains(where: { s in s.mean.contains { $0 != 1 } }) else {
                if summaries.contains(where: { !$0.isEmpty }) { uniform.append(group.label) }
                continue
            }
            let what = "multiplier per layer" + (group.runs.count > 1 ? ", mean over \(group.runs.count) runs" : "")
            var panel = Panel(title: groups.count == 1 ? "\(what)  (\(names.count) layers, colours in forward order)"
                              : "\(group.label): \(what)", x: steps(groups), y: Axis((groups.count > 1 ? "\(group.label): " : "") + "multiplier (layer rate / η)"))
            for (k, (name, s)) in zip(names, summaries).enumerated() where !s.isEmpty {
                panel.series.append(Series(Markup.plain(name), .columns([s.steps, s.mean]), .lines(LineStyle(Style.seriesColor(k), width: 1.5))))
            }
            panel.horizontalLines = [ReferenceLine(1, LineStyle(Style.grey, width: 1, dash: .dotted))]
            // A linear axis around the multipliers and 1, padded by a tenth of their span.
            let values = summaries.flatMap(\.mean) + [1]
            let lo = values.min()!, hi = values.max()!, pad = 0.1 * max(hi - lo, 0.2)
            panel.y.min = lo - pad
            panel.y.max = hi + pad
            panel.key = names.count > 12 ? .none : .auto
            panels.append(panel)
        }
        if !uniform.isEmpty {
            panels[0].title! += groups.count == 1 ? "; every multiplier is 1" : "; every multiplier 1: \(uniform.joined(separator: ", "))"
        }
        return Figure(name: FigureKind.trainLearningRate.rawValue, panels: panels, heightScale: 1 + 0.75 * Double(panels.count - 1))
    }
}
