import Analyzer
import FNO
import Foundation
import Plot
import Train

/// The FNO experiment's outputs: a Markdown table, a CSV of every run (`runs(csv:file:)` reads
/// it back), the comparison figure (its data file, and a PNG drawn by Plot), and the per-layer
/// α / learning-rate dynamics of one TempBalance run (Plot's training figures).
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

    /// The columns of the CSV of runs.
    static let csvColumns = ["policy", "reduced_batch", "train_samples", "pool_samples", "lr", "seed", "epochs", "steps", "val_nrmse",
                             "test_nrmse", "test_rmse", "train_seconds", "analysis_seconds", "diverged"]

    /// Every run, one line each (numbers in their shortest round-trip form; a missing one empty).
    public static func csv(_ runs: [FNOExperimentRun]) -> String {
        var s = csvColumns.joined(separator: ",") + "\n"
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        for r in runs {
            s += "\(r.policy.rawValue),\(r.reducedBatch),\(r.trainSamples),\(r.poolSamples),\(r.lr),\(r.seed),\(r.epochs),\(r.steps),\(f(r.validationNRMSE)),\(f(r.testNRMSE)),\(f(r.testRMSE)),\(r.trainSeconds),\(r.analysisSeconds),\(r.diverged)\n"
        }
        return s
    }

    /// The runs of a CSV written by `csv(_:)`, exactly (so the tables regenerate from it).
    /// - Throws: `TrainError.badData` naming the file, line and column of a bad field.
    public static func runs(csv text: String, file: String) throws -> [FNOExperimentRun] {
        let t = try CSVRecords(text, file: file, columns: csvColumns)
        return try t.records.indices.map { r in
            FNOExperimentRun(policy: try t.field(r, "policy", PolicyMode.init(rawValue:)),
                             reducedBatch: try t.field(r, "reduced_batch", Int.init), trainSamples: try t.field(r, "train_samples", Int.init),
                             poolSamples: try t.field(r, "pool_samples", Int.init), lr: try t.field(r, "lr", Float.init),
                             seed: try t.field(r, "seed", UInt64.init), epochs: try t.field(r, "epochs", Int.init),
                             steps: try t.field(r, "steps", Int.init), validationNRMSE: try t.optionalDouble(r, "val_nrmse"),
                             testNRMSE: try t.optionalDouble(r, "test_nrmse"), testRMSE: try t.optionalDouble(r, "test_rmse"),
                             trainSeconds: try t.field(r, "train_seconds", Double.init),
                             analysisSeconds: try t.field(r, "analysis_seconds", Double.init),
                             diverged: try t.field(r, "diverged", Bool.init))
        }
    }

    /// Writes `<folder>/<name>.{md,csv,dat}` and, with a gnuplot executable, `<name>.png`.
    /// - Returns: the paths written.
    @discardableResult
    public static func write(title: String, name: String, runs: [FNOExperimentRun], to folder: String, gnuplot: String?) throws -> [String] {
        let cells = FNOExperiment.table(runs)
        let points = Array(Set(cells.map(\.reducedBatch))).sorted().map { rb in
            let b = cells.first { $0.reducedBatch == rb && $0.policy == .none }
            let t = cells.first { $0.reducedBatch == rb && $0.policy == .tempbalance }
            return ComparisonFigure.Point(percent: 100 * (b ?? t!).ratio, baseline: b.map { ($0.mean, $0.std) },
                                          tempBalance: t.map { ($0.mean, $0.std) })
        }
        let figure = ComparisonFigure(title: title, name: name, quantity: "test nRMSE", ylabel: "test nRMSE (lower is better)",
                                      key: .topRight, xrange: (0.4, 150))
        return try figure.writeReport(markdown: markdown(title: title, cells: cells), csv: csv(runs), points: points, to: folder,
                                      gnuplot: gnuplot)
    }

    /// The per-layer α (heatmap) and learning rates of one run from its `log.jsonl`, as Plot's
    /// training figures `<folder>/<name>-alpha.png` and `<name>-lr.png` (drawn only with a
    /// gnuplot executable; the log is read and checked either way).
    /// - Throws: `TrainingLogError` naming the log, Plot's errors.
    @discardableResult
    public static func dynamics(log path: String, title: String, name: String, to folder: String, gnuplot: String?) throws -> [String] {
        let curves = try TrainingCurves.load(log: path)
        guard let gnuplot else { return [] }
        var alpha = TrainingFigures.alphaHeatmap(curves, title: title)
        alpha.name = name + "-alpha"
        var rates = TrainingFigures.learningRates(curves, title: title)
        rates.name = name + "-lr"
        return try Plotter.plot([alpha, rates], options: PlotOptions(), gnuplot: gnuplot, out: folder).files
    }
}
