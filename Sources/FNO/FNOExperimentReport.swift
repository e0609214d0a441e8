import Checkpoint
import Foundation
import Plot
import Train

/// The FNO experiment's outputs: a Markdown table, a CSV of every run, a figure (gnuplot data
/// file + script, rendered when gnuplot is installed), and the per-layer α / learning-rate
/// dynamics of one TempBalance run.
public enum FNOExperimentReport {
    /// ratio | samples | baseline nRMSE (lr) | TempBalance nRMSE (lr) | relative change | RMSEs.
    public static func markdown(title: String, cells: [FNOExperimentCell]) -> String {
        var s = "### \(title)\n\n| data ratio | train samples | baseline: test nRMSE (lr) | TempBalance: test nRMSE (lr) | change | baseline RMSE | TempBalance RMSE |\n|---|---|---|---|---|---|---|\n"
        for rb in Array(Set(cells.map(\.reducedBatch))).sorted() {
            let b = cells.first { $0.reducedBatch == rb && $0.policy == .none }
            let t = cells.first { $0.reducedBatch == rb && $0.policy == .tempbalance }
            func cell(_ c: FNOExperimentCell?) -> String {
                guard let c else { return "–" }
                return String(format: "%.4f ± %.4f (%g)", c.mean, c.std, Double(c.lr))
            }
            func rmse(_ c: FNOExperimentCell?) -> String { c.map { String(format: "%.3g ± %.2g", $0.rmseMean, $0.rmseStd) } ?? "–" }
            let change = (b != nil && t != nil) ? String(format: "%+.1f %%", 100 * (t!.mean - b!.mean) / b!.mean) : "–"
            let any = b ?? t!
            s += "| \(String(format: "%.3g %%", 100 * any.ratio)) (rb \(rb)) | \(any.trainSamples) | \(cell(b)) | \(cell(t)) | \(change) | \(rmse(b)) | \(rmse(t)) |\n"
        }
        return s
    }

    public static func csv(_ runs: [FNOExperimentRun]) -> String {
        var s = "policy,reduced_batch,train_samples,pool_samples,lr,seed,epochs,steps,val_nrmse,test_nrmse,test_rmse,train_seconds,analysis_seconds,diverged\n"
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        for r in runs {
            s += "\(r.policy.rawValue),\(r.reducedBatch),\(r.trainSamples),\(r.poolSamples),\(r.lr),\(r.seed),\(r.epochs),\(r.steps),\(f(r.validationNRMSE)),\(f(r.testNRMSE)),\(f(r.testRMSE)),\(r.trainSeconds),\(r.analysisSeconds),\(r.diverged)\n"
        }
        return s
    }

    /// Writes `<folder>/<name>.{md,csv,dat,gp}` and, if gnuplot runs, `<name>.png`.
    @discardableResult
    public static func write(title: String, name: String, runs: [FNOExperimentRun], to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cells = FNOExperiment.table(runs)
        let base = folder + "/" + name
        let written = [base + ".md", base + ".csv"]
        try AtomicFile.write(markdown(title: title, cells: cells), to: base + ".md")
        try AtomicFile.write(csv(runs), to: base + ".csv")
        let points = Array(Set(cells.map(\.reducedBatch))).sorted().map { rb in
            let b = cells.first { $0.reducedBatch == rb && $0.policy == .none }
            let t = cells.first { $0.reducedBatch == rb && $0.policy == .tempbalance }
            return ComparisonFigure.Point(percent: 100 * (b ?? t!).ratio, baseline: b.map { ($0.mean, $0.std) },
                                          tempBalance: t.map { ($0.mean, $0.std) })
        }
        let figure = ComparisonFigure(title: title, name: name, quantity: "test nRMSE", ylabel: "test nRMSE (lower is better)",
                                      key: "top right", xrange: (0.4, 150))
        return written + (try figure.write(points, to: folder))
    }

    /// Per-epoch α and learning rate of every analysed layer from a run's `log.jsonl`:
    /// `<name>-alpha.{dat,gp,png}` and `<name>-lr.{dat,gp,png}`.
    @discardableResult
    public static func dynamics(log path: String, title: String, name: String, to folder: String) throws -> [String] {
        // The training-log reader the figures of `htsr plot` use (it checks the format and names
        // the file and line of a bad entry); the layers in the order the intervals first name them.
        let log = try TrainingLog.load(path)
        var layers: [String] = []
        var rows: [(epoch: Double, alpha: [String: Double], lr: [String: Double])] = []
        for interval in log.intervals {
            guard let epoch = interval.epoch else { continue }
            var a: [String: Double] = [:], l: [String: Double] = [:]
            for x in interval.layers {
                if !layers.contains(x.name) { layers.append(x.name) }
                a[x.name] = x.alpha
                l[x.name] = x.learningRate
            }
            rows.append((epoch, a, l))
        }
        guard !rows.isEmpty else { throw TrainError.badData(file: path, problem: "has no interval lines") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for (kind, label, logscale) in [("alpha", "PL_Alpha_Hill (xmin_pos 2)", false), ("lr", "learning rate", true)] {
            // Only layers with a value (fc2, too small to be analysed, has a rate but no α).
            let layers = layers.filter { l in rows.contains { (kind == "alpha" ? $0.alpha[l] : $0.lr[l]) != nil } }
            var dat = "# epoch " + layers.joined(separator: " ") + "\n"
            for r in rows {
                let values = layers.map { l -> String in
                    let v = kind == "alpha" ? r.alpha[l] : r.lr[l]
                    return v.map { String(format: "%.6g", $0) } ?? "NaN"
                }
                dat += String(format: "%g ", r.epoch) + values.joined(separator: " ") + "\n"
            }
            let file = "\(name)-\(kind)"
            try AtomicFile.write(dat, to: "\(folder)/\(file).dat")
            // Twelve distinct colours; spectral layers (conv*) dashed.
            let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                           "#bcbd22", "#17becf", "#000000", "#aec7e8"]
            let plots = layers.enumerated().map { k, layer in
                "'\(file).dat' using 1:\(k + 2) with lines lw 2 lc rgb '\(colours[k % colours.count])' dt \(layer.hasPrefix("conv") ? 2 : 1) title '\(layer)'"
            }
            let gp = """
            set terminal pngcairo size 720,480 noenhanced
            set output '\(file).png'
            set title '\(title): \(label) per layer'
            set xlabel 'epoch'
            set ylabel '\(label)'
            \(logscale ? "set logscale y" : "")
            set key outside right
            set grid
            plot \(plots.joined(separator: ", \\\n     "))

            """
            try AtomicFile.write(gp, to: "\(folder)/\(file).gp")
            written += ["\(folder)/\(file).dat", "\(folder)/\(file).gp"]
            if ExperimentReport.renderGnuplot(script: file + ".gp", in: folder) { written.append("\(folder)/\(file).png") }
        }
        return written
    }
}
