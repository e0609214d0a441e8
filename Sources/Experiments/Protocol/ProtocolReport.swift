import Checkpoint
import Foundation
import Plot
import Train

/// How a task's metric is printed: its name and whether it is shown in percent.
public struct MetricFormat: Sendable {
    /// e.g. "nRMSE", "accuracy".
    public var name: String
    /// Shown ×100 with a % sign (accuracy).
    public var percent: Bool

    public init(name: String, percent: Bool) { self.name = name; self.percent = percent }

    public static let nrmse = MetricFormat(name: "nRMSE", percent: false)
    public static let accuracy = MetricFormat(name: "accuracy", percent: true)

    /// A value: 4 significant decimals (nRMSE) or percent with 2 decimals.
    public func value(_ v: Double) -> String { percent ? String(format: "%.2f", 100 * v) : String(format: "%.4f", v) }
    /// A difference, signed.
    public func difference(_ v: Double) -> String { percent ? String(format: "%+.2f", 100 * v) : String(format: "%+.4f", v) }
    public func summary(_ s: SampleSummary?) -> String { s.map { "\(value($0.mean)) ± \(value($0.std))" } ?? "–" }
    /// The unit after a difference: "points" for percent, none otherwise.
    public var unit: String { percent ? " (points)" : "" }
}

/// The protocol's report: a Markdown page, a CSV of every run (which reads back exactly and
/// regenerates the page and the figures' data), and two figures drawn by Plot.
public enum ProtocolReport {
    // MARK: Markdown

    /// The page: setup, the arms, the paired comparisons, the scale sweep, the cost.
    public static func markdown(title: String, setup: String, outcomes: [CellOutcome], metric: MetricFormat) -> String {
        var s = "### \(title)\n\n\(setup)\n\n"
        let seeds = outcomes.first?.seeds.count ?? 0
        s += "**Arms** — test \(metric.name)\(metric.percent ? " (%)" : ""): mean ± std over \(seeds) paired seeds at the hyperparameters chosen on the validation split; the learning rates tried, the chosen one in bold (⚠ = on the grid's edge after the extension cap); s = TempBalance's scale; G = the uniform control's multiplier; \"near a bound\": share of layer-steps with a multiplier within 10 % of a bound of the policy's range.\n\n"
        s += "| cell | arm | learning rate (grid) | s | G | validation | test | near a bound |\n|---|---|---|---|---|---|---|---|\n"
        var warnings: [String] = []
        for o in outcomes {
            for a in o.arms {
                let grid = a.grid.points.enumerated().map { k, p -> String in
                    let v = Trial.number(p.value) + (p.eligible ? "" : "✗")
                    return k == a.grid.chosen ? "**\(v)**" : v
                }.joined(separator: ", ")
                let edge = a.grid.edge.map { $0 == .interior ? "" : " ⚠" } ?? " (none eligible)"
                if let e = a.grid.edge, e != .interior { warnings.append("\(o.cell.label), \(a.arm.label): the chosen learning rate is on the \(e.rawValue) of its grid") }
                if a.grid.edge == nil { warnings.append("\(o.cell.label), \(a.arm.label): no learning rate without a diverged run") }
                s += "| \(o.cell.label) | \(a.arm.label) | \(grid)\(edge) | \(a.scale.map(Trial.number) ?? "–") | \(a.uniformMultiplier.map(Trial.number) ?? "–") | \(metric.summary(a.validation)) | \(metric.summary(a.test)) | \(a.nearBoundShare.map { String(format: "%.0f %%", 100 * $0) } ?? "–") |\n"
            }
        }
        s += "\n(✗: a rate with a diverged run, not eligible.)\n\n"
        s += "**Paired comparisons** — per seed, treatment − control of the test \(metric.name)\(metric.unit) (\(metric.percent ? "higher" : "lower") is better); the 95 % interval of the mean difference; one-sided p-values for \"the treatment is better\": paired t-test, exact Wilcoxon signed-rank and sign tests; better/worse = seeds; detectable = the smallest true difference a one-sided 5 % t-test would detect with 80 % power at this spread; verdict from the interval.\n\n"
        s += "| cell | comparison | mean Δ ± sd | 95 % interval | p (t) | p (Wilcoxon) | p (sign) | better/worse | detectable | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n"
        func p(_ v: Double?) -> String { v.map { $0 < 0.001 ? String(format: "%.1e", $0) : String(format: "%.3f", $0) } ?? "–" }
        func row(_ o: CellOutcome, _ name: String, _ c: PairedComparison?) -> String {
            guard let c else { return "| \(o.cell.label) | \(name) | – | – | – | – | – | – | – | – |\n" }
            let d = metric.percent ? String(format: "%.2f", 100 * c.std) : String(format: "%.4f", c.std)
            return "| \(o.cell.label) | \(name) | \(metric.difference(c.mean)) ± \(d) | [\(metric.difference(c.interval.lowerBound)), \(metric.difference(c.interval.upperBound))] | \(p(c.pBetter)) | \(p(c.pSignedRank)) | \(p(c.pSign)) | \(c.better)/\(c.worse) | \(c.detectable.map { metric.percent ? String(format: "%.2f", 100 * $0) : String(format: "%.4f", $0) } ?? "–") | \(verdictText(c.verdict)) |\n"
        }
        for o in outcomes {
            for a in o.arms.dropFirst() { s += row(o, "\(a.arm.label) − baseline", a.vsBaseline) }
            s += row(o, "TempBalance − TB frozen", o.tempBalanceVsFrozen)
            if o.arms.count > 3 { s += row(o, "TempBalance − TB uniform", o.tempBalanceVsUniform) }
        }
        let sweeps = outcomes.filter { !$0.scaleSweep.isEmpty }
        if !sweeps.isEmpty {
            s += "\n**Scale sweep** — TempBalance at the learning rate chosen for the reference scale (the paper's s for this sample count), each s over the same seeds; the s with the best validation mean (bold) is TempBalance's, its rate searched again when it differs from the reference.\n\n"
            s += "| cell | lr | s | validation | test | Δ vs baseline [95 %] | p (t) |\n|---|---|---|---|---|---|---|\n"
            for o in sweeps {
                for (k, pt) in o.scaleSweep.enumerated() {
                    var sv = Trial.number(pt.scale)
                    if k == o.scaleGrid?.chosen { sv = "**\(sv)**" }
                    if let r = o.cell.referenceScale, Selection.same(r, pt.scale) { sv += " (paper)" }
                    let d = pt.vsBaseline.map { "\(metric.difference($0.mean)) [\(metric.difference($0.interval.lowerBound)), \(metric.difference($0.interval.upperBound))]" } ?? "–"
                    s += "| \(o.cell.label) | \(o.scaleSweepLR.map(Trial.number) ?? "–") | \(sv) | \(metric.summary(pt.validation)) | \(metric.summary(pt.test)) | \(d) | \(p(pt.vsBaseline?.pBetter)) |\n"
                }
                if let e = o.scaleGrid?.edge, e != .interior { warnings.append("\(o.cell.label): the chosen scale is on the \(e.rawValue) of the sweep") }
            }
        }
        s += "\n**Cost** — "
        s += outcomes.map { o in String(format: "%@: %d runs, %.0f CPU s (%.2f CPU h), %.0f s of run wall time", o.cell.label, o.runCount, o.cpuSeconds, o.cpuSeconds / 3600, o.seconds) }.joined(separator: "; ")
        let cpu = outcomes.reduce(0) { $0 + $1.cpuSeconds }
        s += String(format: ". Total %.2f CPU h: %.0f min on 2 idle cores.\n", cpu / 3600, cpu / 120)
        if !warnings.isEmpty { s += "\n**Not as the protocol asks:** " + warnings.joined(separator: "; ") + ".\n" }
        return s
    }

    static func verdictText(_ v: Verdict) -> String {
        switch v {
        case .wins: return "**better**"
        case .loses: return "**worse**"
        case .indistinguishable: return "no effect detected"
        }
    }

    // MARK: CSV

    static let csvColumns = ["cell", "cell_label", "cell_samples", "reference_scale", "arm", "lr", "scale", "uniform_multiplier", "seed",
                             "validation", "test", "diverged", "train_samples", "steps", "seconds", "cpu_seconds", "near_bound",
                             "bound_steps", "multipliers", "extra", "curve"]

    /// Every run, one line each (numbers in their shortest round-trip form, a missing one empty;
    /// `multipliers` and `extra` as `name=value` joined by `;`, `curve` as `step:validation:test` joined by `;`).
    public static func csv(_ results: [TrialResult], cells: [ProtocolCell]) -> String {
        var s = csvColumns.joined(separator: ",") + "\n"
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        // Cells in the given order (the order the CSV's reader returns them in), runs by key within a cell.
        let order = Dictionary(cells.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in results.sorted(by: { (order[$0.trial.cell] ?? .max, $0.trial.key) < (order[$1.trial.cell] ?? .max, $1.trial.key) }) {
            guard let c = cells.first(where: { $0.id == r.trial.cell }) else { continue }
            let t = r.trial
            let fields: [String] = [
                c.id, c.label, "\(c.trainSamples)", f(c.referenceScale), t.arm.rawValue, "\(t.lr)", f(t.scale), f(t.uniformMultiplier), "\(t.seed)",
                f(r.validation), f(r.test), "\(r.diverged)", "\(r.trainSamples)", "\(r.steps)", "\(r.seconds)", "\(r.cpuSeconds)",
                "\(r.nearBound)", "\(r.boundSteps)", r.multipliers.map { "\($0.layer)=\($0.multiplier)" }.joined(separator: ";"),
                r.extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";"),
                r.curve.map { "\($0.step):\(f($0.validation)):\(f($0.test))" }.joined(separator: ";"),
            ]
            s += fields.joined(separator: ",") + "\n"
        }
        return s
    }

    /// The cells and runs of a CSV written by `csv(_:cells:)`, exactly.
    /// - Throws: `TrainError.badData` naming the file, line and column of a bad field.
    public static func read(csv text: String, file: String) throws -> (cells: [ProtocolCell], results: [TrialResult]) {
        let t = try CSVRecords(text, file: file, columns: csvColumns)
        var cells: [ProtocolCell] = []
        var results: [TrialResult] = []
        func pairs(_ r: Int, _ column: String) throws -> [(String, Double)] {
            try t.field(r, column) { text -> [(String, Double)]? in
                if text.isEmpty { return [] }
                var out: [(String, Double)] = []
                for item in text.split(separator: ";") {
                    let kv = item.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2, let v = Double(kv[1]) else { return nil }
                    out.append((String(kv[0]), v))
                }
                return out
            }
        }
        for r in t.records.indices {
            let cell = ProtocolCell(id: try t.field(r, "cell") { $0.isEmpty ? nil : $0 }, label: try t.field(r, "cell_label") { $0 },
                                    trainSamples: try t.field(r, "cell_samples", Int.init), referenceScale: try t.optionalDouble(r, "reference_scale"))
            if let known = cells.first(where: { $0.id == cell.id }) {
                guard known == cell else { throw TrainError.badData(file: file, problem: "line \(t.records[r].line): cell \(cell.id) differs from its first line") }
            } else {
                cells.append(cell)
            }
            let trial = Trial(cell: cell.id, arm: try t.field(r, "arm", Arm.init(rawValue:)), lr: try t.field(r, "lr", Double.init),
                              scale: try t.optionalDouble(r, "scale"), uniformMultiplier: try t.optionalDouble(r, "uniform_multiplier"),
                              seed: try t.field(r, "seed", UInt64.init))
            var x = TrialResult(trial: trial, validation: try t.optionalDouble(r, "validation"), test: try t.optionalDouble(r, "test"),
                                diverged: try t.field(r, "diverged", Bool.init), trainSamples: try t.field(r, "train_samples", Int.init),
                                steps: try t.field(r, "steps", Int.init))
            x.seconds = try t.field(r, "seconds", Double.init)
            x.cpuSeconds = try t.field(r, "cpu_seconds", Double.init)
            x.nearBound = try t.field(r, "near_bound", Int.init)
            x.boundSteps = try t.field(r, "bound_steps", Int.init)
            x.multipliers = try pairs(r, "multipliers").map { LayerMultiplier(layer: $0.0, multiplier: $0.1) }
            x.extra = Dictionary(try pairs(r, "extra"), uniquingKeysWith: { a, _ in a })
            x.curve = try t.field(r, "curve") { text -> [CurvePoint]? in
                if text.isEmpty { return [] }
                var out: [CurvePoint] = []
                for item in text.split(separator: ";") {
                    let f = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    guard f.count == 3, let step = Int(f[0]) else { return nil }
                    let v = f[1].isEmpty ? nil : Double(f[1]), te = f[2].isEmpty ? nil : Double(f[2])
                    if (!f[1].isEmpty && v == nil) || (!f[2].isEmpty && te == nil) { return nil }
                    out.append(CurvePoint(step: step, validation: v, test: te))
                }
                return out
            }
            results.append(x)
        }
        return (cells, results)
    }

    // MARK: Figures

    /// The learning curves: per cell a panel, per arm at its chosen hyperparameters the mean test
    /// metric (the validation metric when the runs record no test curve) over the seeds against the
    /// optimizer step, with a ±1 std band. Data file:
    /// `cell arm step mean std n` per line.
    public static func curves(_ outcomes: [CellOutcome], name: String, title: String, metric: MetricFormat) -> (figure: Figure, data: String) {
        var dat = "# cell arm step mean std n (test \(metric.name), at each arm's chosen hyperparameters, over seeds)\n"
        var panels: [Panel] = []
        let scale = metric.percent ? 100.0 : 1
        for o in outcomes {
            // The validation curve where the runs record no test curve (a task that defers its test split).
            let useTest = o.arms.contains { $0.runs.contains { $0.curve.contains { $0.test != nil } } }
            let split = useTest ? "test" : "validation"
            if !useTest { dat += "# \(o.cell.id): validation \(metric.name) (the runs record no test curve)\n" }
            var panel = Panel(title: Markup.plain("\(o.cell.label): mean ± std over \(o.seeds.count) seeds"), x: Axis("optimizer step"),
                              y: Axis(Markup.plain("\(split) \(metric.name)\(metric.percent ? " (%)" : "")")))
            for (k, a) in o.arms.enumerated() {
                let steps = Array(Set(a.runs.flatMap { $0.curve.map(\.step) })).sorted()
                var x: [Double] = [], mean: [Double] = [], lo: [Double] = [], hi: [Double] = []
                for step in steps {
                    let values = a.runs.compactMap { r in r.curve.first { $0.step == step }.flatMap { useTest ? $0.test : $0.validation } }
                    guard values.count == a.runs.count, let s = SampleSummary(values) else { continue }
                    x.append(Double(step)); mean.append(scale * s.mean); lo.append(scale * (s.mean - s.std)); hi.append(scale * (s.mean + s.std))
                    dat += "\(o.cell.id) \(a.arm.rawValue) \(step) \(String(format: "%.6g", scale * s.mean)) \(String(format: "%.6g", scale * s.std)) \(values.count)\n"
                }
                guard !x.isEmpty else { continue }
                let color = Style.seriesColor(k)
                panel.series.append(Series(nil, .columns([x, lo, hi]), .band(color, opacity: 0.18)))
                panel.series.append(Series(a.arm.label, .columns([x, mean]), .lines(LineStyle(color))))
            }
            panel.key = metric.percent ? .bottomRight : .topRight
            panels.append(panel)
        }
        return (Figure(name: name + "-curves", panels: panels, heightScale: Double(max(1, panels.count)) * 0.75), dat)
    }

    /// The paired differences, one panel per cell: each comparison's mean difference with its
    /// 95 % interval, and a zero line. Data file: `cell index comparison mean low high` per line.
    public static func paired(_ outcomes: [CellOutcome], name: String, title: String, metric: MetricFormat) -> (figure: Figure, data: String) {
        var dat = "# cell index comparison mean low high (treatment − control, test \(metric.name)\(metric.unit))\n"
        let scale = metric.percent ? 100.0 : 1
        var panels: [Panel] = []
        for o in outcomes {
            var rows: [(String, String, PairedComparison?)] = o.arms.dropFirst().map {
                ("\($0.arm.rawValue)-baseline", "\($0.arm == .tempBalance ? "TB" : $0.arm == .frozen ? "frozen" : "uniform") − base", $0.vsBaseline)
            }
            rows.append(("tempbalance-frozen", "TB − frozen", o.tempBalanceVsFrozen))
            if o.arms.count > 3 { rows.append(("tempbalance-uniform", "TB − uniform", o.tempBalanceVsUniform)) }
            var columns = [[Double]](repeating: [], count: 4)
            for (k, (id, _, c)) in rows.enumerated() {
                guard let c else { continue }
                let values = [Double(k + 1), scale * c.mean, scale * c.interval.lowerBound, scale * c.interval.upperBound]
                for (j, v) in values.enumerated() { columns[j].append(v) }
                dat += "\(o.cell.id) \(k + 1) \(id) \(String(format: "%.6g", values[1])) \(String(format: "%.6g", values[2])) \(String(format: "%.6g", values[3]))\n"
            }
            var panel = Panel(title: Markup.plain("\(o.cell.label): paired differences with 95 % intervals"),
                              x: Axis("comparison", min: 0.5, max: Double(rows.count) + 0.5,
                                      tics: rows.enumerated().map { Tic($1.1, Double($0 + 1)) }),
                              y: Axis(Markup.plain("Δ test \(metric.name)\(metric.unit), \(metric.percent ? "> 0" : "< 0"): treatment better")))
            let extent = (columns[2] + columns[3] + [0]).map(abs).max() ?? 0
            if extent == 0 { panel.y.min = -1; panel.y.max = 1 }
            panel.horizontalLines = [ReferenceLine(0, Style.reference)]
            panel.series = [Series("mean, 95 % interval", .columns(columns), .intervals(Style.blue, .circle, size: 1))]
            panel.key = .none
            panels.append(panel)
        }
        return (Figure(name: name + "-paired", panels: panels, heightScale: Double(max(1, panels.count)) * 0.75), dat)
    }

    /// Writes `<folder>/<name>.md`, `.csv`, `-curves.dat`, `-paired.dat` and, with a gnuplot
    /// executable, `-curves.png` and `-paired.png`. - Returns: the paths written.
    @discardableResult
    public static func write(title: String, setup: String, name: String, cells: [ProtocolCell], results: [TrialResult], direction: Direction,
                             metric: MetricFormat, to folder: String, gnuplot: String?) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let outcomes = ProtocolAnalysis.analyze(results, cells: cells, direction: direction)
        let base = folder + "/" + name
        try AtomicFile.write(markdown(title: title, setup: setup, outcomes: outcomes, metric: metric), to: base + ".md")
        try AtomicFile.write(csv(results, cells: cells), to: base + ".csv")
        let c = curves(outcomes, name: name, title: title, metric: metric), p = paired(outcomes, name: name, title: title, metric: metric)
        try AtomicFile.write(c.data, to: base + "-curves.dat")
        try AtomicFile.write(p.data, to: base + "-paired.dat")
        var written = [base + ".md", base + ".csv", base + "-curves.dat", base + "-paired.dat"]
        if let gnuplot {
            written += try Plotter.plot([c.figure, p.figure], options: PlotOptions(), gnuplot: gnuplot, out: folder).files
        }
        return written
    }
}
