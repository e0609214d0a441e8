import Analyzer
import Foundation
import Train

/// The experiment's outputs: a Markdown table, a CSV of every run (`runs(csv:file:)` reads it
/// back), and the comparison figure (its data file, and a PNG drawn by Plot).
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

    /// The columns of the CSV of runs.
    static let csvColumns = ["policy", "ratio", "lr", "seed", "train_examples", "steps", "test_accuracy", "best_accuracy",
                             "train_seconds", "analysis_seconds", "diverged"]

    /// Every run, one line each (numbers in their shortest round-trip form).
    public static func csv(_ runs: [ExperimentRun]) -> String {
        var s = csvColumns.joined(separator: ",") + "\n"
        for r in runs {
            s += "\(r.policy.rawValue),\(r.ratio),\(r.lr),\(r.seed),\(r.trainExamples),\(r.steps),\(r.testAccuracy),\(r.bestAccuracy),\(r.trainSeconds),\(r.analysisSeconds),\(r.diverged)\n"
        }
        return s
    }

    /// The runs of a CSV written by `csv(_:)`, exactly (so the tables regenerate from it).
    /// - Throws: `TrainError.badData` naming the file, line and column of a bad field.
    public static func runs(csv text: String, file: String) throws -> [ExperimentRun] {
        let t = try CSVRecords(text, file: file, columns: csvColumns)
        return try t.records.indices.map { r in
            ExperimentRun(policy: try t.field(r, "policy", PolicyMode.init(rawValue:)), ratio: try t.field(r, "ratio", Double.init),
                          lr: try t.field(r, "lr", Float.init), seed: try t.field(r, "seed", UInt64.init),
                          trainExamples: try t.field(r, "train_examples", Int.init), steps: try t.field(r, "steps", Int.init),
                          testAccuracy: try t.field(r, "test_accuracy", Double.init),
                          bestAccuracy: try t.field(r, "best_accuracy", Double.init),
                          trainSeconds: try t.field(r, "train_seconds", Double.init),
                          analysisSeconds: try t.field(r, "analysis_seconds", Double.init),
                          diverged: try t.field(r, "diverged", Bool.init))
        }
    }

    /// Writes `<folder>/<name>.{md,csv,dat}` and, with a gnuplot executable, `<name>.png`.
    /// - Returns: the paths written.
    @discardableResult
    public static func write(title: String, name: String, runs: [ExperimentRun], to folder: String, gnuplot: String?) throws -> [String] {
        let cells = Experiment.table(runs)
        let points = Array(Set(cells.map(\.ratio))).sorted().map { ratio in
            ComparisonFigure.Point(percent: 100 * ratio,
                                   baseline: cells.first { $0.ratio == ratio && $0.policy == .none }.map { (100 * $0.mean, 100 * $0.std) },
                                   tempBalance: cells.first { $0.ratio == ratio && $0.policy == .tempbalance }.map { (100 * $0.mean, 100 * $0.std) })
        }
        let percents = points.map(\.percent)
        let figure = ComparisonFigure(title: title, name: name, quantity: "test accuracy %", ylabel: "test accuracy (%)",
                                      key: .bottomRight, xrange: (0.7 * (percents.min() ?? 1), 1.4 * (percents.max() ?? 100)))
        return try figure.writeReport(markdown: markdown(title: title, cells: cells), csv: csv(runs), points: points, to: folder,
                                      gnuplot: gnuplot)
    }
}
