import Plot
import Train

/// The per-layer α and learning rates of one run from its `log.jsonl`, as Plot's training
/// figures: an experiment report shows them for one TempBalance run.
public enum TrainingDynamics {
    /// Draws `<folder>/<name>-alpha.png` (α heatmap) and `<name>-lr.png` (per-layer learning
    /// rates) with a gnuplot executable; the log is read and checked either way.
    /// - Throws: `TrainingLogError` naming the log, Plot's errors.
    @discardableResult
    public static func write(log path: String, title: String, name: String, to folder: String, gnuplot: String?) throws -> [String] {
        let curves = try TrainingCurves.load(log: path)
        guard let gnuplot else { return [] }
        var alpha = TrainingFigures.alphaHeatmap(curves, title: title)
        alpha.name = name + "-alpha"
        var rates = TrainingFigures.learningRates(curves, title: title)
        rates.name = name + "-lr"
        return try Plotter.plot([alpha, rates], options: PlotOptions(), gnuplot: gnuplot, out: folder).files
    }
}
