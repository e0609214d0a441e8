import Checkpoint
import Foundation

/// The experiment's outputs: a Markdown table, a CSV of every run, and a figure (gnuplot data
/// file + script, rendered to PNG when gnuplot is installed).
public enum ExperimentReport {
    /// Markdown: ratio | examples | baseline (lr) | TempBalance (lr) | Δ, accuracies in % as mean ± std.
    public static func markdown(title: String, cells: [ExperimentCell]) -> String {
        var s = "### \(title)\n\n| train ratio | examples | baseline: test acc. % (lr) | TempBalance: test acc. % (lr) | Δ (points) |\n|---|---|---|---|---|\n"
        for ratio in Array(Set(cells.map(\.ratio))).sorted() {
            let b = cells.first { $0.ratio == ratio && $0.policy == .none }
            let t = cells.first { $0.ratio == ratio && $0.policy == .tempbalance }
            func cell(_ c: ExperimentCell?) -> String {
                guard let c else { return "–" }
                return String(format: "%.2f ± %.2f (%g)", 100 * c.mean, 100 * c.std, Double(c.lr))
            }
            let delta = (b != nil && t != nil) ? String(format: "%+.2f", 100 * (t!.mean - b!.mean)) : "–"
            s += "| \(String(format: "%g %%", 100 * ratio)) | \(b?.trainExamples ?? t?.trainExamples ?? 0) | \(cell(b)) | \(cell(t)) | \(delta) |\n"
        }
        return s
    }

    public static func csv(_ runs: [ExperimentRun]) -> String {
        var s = "policy,ratio,lr,seed,train_examples,steps,test_accuracy,best_accuracy,train_seconds,analysis_seconds,diverged\n"
        for r in runs {
            s += "\(r.policy.rawValue),\(r.ratio),\(r.lr),\(r.seed),\(r.trainExamples),\(r.steps),\(r.testAccuracy),\(r.bestAccuracy),\(r.trainSeconds),\(r.analysisSeconds),\(r.diverged)\n"
        }
        return s
    }

    /// Writes `<folder>/<name>.{md,csv,dat,gp}` and, if gnuplot runs, `<name>.png`.
    /// - Returns: the paths written.
    @discardableResult
    public static func write(title: String, name: String, runs: [ExperimentRun], to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cells = Experiment.table(runs)
        let base = folder + "/" + name
        let written = [base + ".md", base + ".csv"]
        try AtomicFile.write(markdown(title: title, cells: cells), to: base + ".md")
        try AtomicFile.write(csv(runs), to: base + ".csv")
        let points = Array(Set(cells.map(\.ratio))).sorted().map { ratio in
            ComparisonFigure.Point(percent: 100 * ratio,
                                   baseline: cells.first { $0.ratio == ratio && $0.policy == .none }.map { (100 * $0.mean, 100 * $0.std) },
                                   tempBalance: cells.first { $0.ratio == ratio && $0.policy == .tempbalance }.map { (100 * $0.mean, 100 * $0.std) })
        }
        let percents = points.map(\.percent)
        let figure = ComparisonFigure(title: title, name: name, quantity: "test accuracy %", ylabel: "test accuracy (%)",
                                      key: "bottom right", xrange: (0.7 * (percents.min() ?? 1), 1.4 * (percents.max() ?? 100)))
        return written + (try figure.write(points, to: folder))
    }

    /// Runs `gnuplot SCRIPT` in `folder`; false if gnuplot is missing or fails.
    public static func renderGnuplot(script: String, in folder: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gnuplot", script]
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

/// The baseline-vs-TempBalance figure of an experiment: mean ± std of one quantity against the
/// share of training data (log x), as `<name>.dat` + `<name>.gp`, rendered to `<name>.png` when
/// gnuplot runs. The two series are shifted ±3 % in x so their error bars do not overlap.
public struct ComparisonFigure: Sendable {
    /// One data ratio: each arm's (mean, std), or nil when it has no runs.
    public struct Point: Sendable {
        public var percent: Double
        public var baseline: (mean: Double, std: Double)?
        public var tempBalance: (mean: Double, std: Double)?
        public init(percent: Double, baseline: (mean: Double, std: Double)?, tempBalance: (mean: Double, std: Double)?) {
            self.percent = percent
            self.baseline = baseline
            self.tempBalance = tempBalance
        }
    }

    public var title: String
    public var name: String
    /// The quantity named in the data file's header, e.g. "test nRMSE".
    public var quantity: String
    public var ylabel: String
    /// gnuplot's key position, e.g. "top right".
    public var key: String
    public var xrange: (Double, Double)

    public init(title: String, name: String, quantity: String, ylabel: String, key: String, xrange: (Double, Double)) {
        self.title = title
        self.name = name
        self.quantity = quantity
        self.ylabel = ylabel
        self.key = key
        self.xrange = xrange
    }

    /// The data file: `ratio_percent baseline_mean baseline_std tempbalance_mean tempbalance_std`.
    public func data(_ points: [Point]) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "NaN" }
        var dat = "# ratio_percent baseline_mean baseline_std tempbalance_mean tempbalance_std (\(quantity))\n"
        for p in points {
            dat += "\(p.percent) \(f(p.baseline?.mean)) \(f(p.baseline?.std)) \(f(p.tempBalance?.mean)) \(f(p.tempBalance?.std))\n"
        }
        return dat
    }

    /// The gnuplot script, reading `<name>.dat` and writing `<name>.png` in its own folder.
    public var script: String {
        """
        set terminal pngcairo size 720,480 noenhanced
        set output '\(name).png'
        set title '\(title)'
        set logscale x
        set xrange [\(String(format: "%g:%g", xrange.0, xrange.1))]
        set xlabel 'training data (% of the pool)'
        set ylabel '\(ylabel)'
        set key \(key)
        set grid
        plot '\(name).dat' using ($1*0.97):2:3 with yerrorlines lw 2 title 'baseline', \\
             '\(name).dat' using ($1*1.03):4:5 with yerrorlines lw 2 title 'TempBalance'

        """
    }

    /// Writes the data file and the script into `folder` and renders them.
    /// - Returns: the paths written (the PNG only if gnuplot ran).
    public func write(_ points: [Point], to folder: String) throws -> [String] {
        let base = folder + "/" + name
        try AtomicFile.write(data(points), to: base + ".dat")
        try AtomicFile.write(script, to: base + ".gp")
        var written = [base + ".dat", base + ".gp"]
        if ExperimentReport.renderGnuplot(script: name + ".gp", in: folder) { written.append(base + ".png") }
        return written
    }
}
