import Analyzer
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
        var written = [base + ".md", base + ".csv", base + ".dat", base + ".gp"]
        try AtomicFile.write(markdown(title: title, cells: cells), to: base + ".md")
        try AtomicFile.write(csv(runs), to: base + ".csv")
        var dat = "# ratio_percent baseline_mean baseline_std tempbalance_mean tempbalance_std (test accuracy %)\n"
        for ratio in Array(Set(cells.map(\.ratio))).sorted() {
            let b = cells.first { $0.ratio == ratio && $0.policy == .none }
            let t = cells.first { $0.ratio == ratio && $0.policy == .tempbalance }
            func f(_ v: Double?) -> String { v.map { String(format: "%.4f", 100 * $0) } ?? "NaN" }
            dat += "\(100 * ratio) \(f(b?.mean)) \(f(b?.std)) \(f(t?.mean)) \(f(t?.std))\n"
        }
        try AtomicFile.write(dat, to: base + ".dat")
        let percents = cells.map { 100 * $0.ratio }
        let xrange = String(format: "[%g:%g]", 0.7 * (percents.min() ?? 1), 1.4 * (percents.max() ?? 100))
        let gp = """
        set terminal pngcairo size 720,480 noenhanced
        set output '\(name).png'
        set title '\(title)'
        set logscale x
        set xrange \(xrange)
        set xlabel 'training data (% of the pool)'
        set ylabel 'test accuracy (%)'
        set key bottom right
        set grid
        plot '\(name).dat' using ($1*0.97):2:3 with yerrorlines lw 2 title 'baseline', \\
             '\(name).dat' using ($1*1.03):4:5 with yerrorlines lw 2 title 'TempBalance'

        """
        try AtomicFile.write(gp, to: base + ".gp")
        if renderGnuplot(script: name + ".gp", in: folder) { written.append(base + ".png") }
        return written
    }

    /// Runs `gnuplot SCRIPT` in `folder`; false if gnuplot is missing or fails.
    static func renderGnuplot(script: String, in folder: String) -> Bool {
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
