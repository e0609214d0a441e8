import Checkpoint
import Analyzer
import Foundation
import Plot

/// The baseline-vs-TempBalance figure of an experiment: each arm's mean ± std of one quantity
/// against the share of training data (log x, a tic at every ratio), drawn by Plot, with its
/// numbers in `<name>.dat`. The arms are shifted ±3 % in x so their error bars do not overlap.
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
    public var key: KeyPlacement
    public var xrange: (Double, Double)

    public init(title: String, name: String, quantity: String, ylabel: String, key: KeyPlacement, xrange: (Double, Double)) {
        self.title = title
        self.name = name
        self.quantity = quantity
        self.ylabel = ylabel
        self.key = key
        self.xrange = xrange
    }

    /// The data file: `ratio_percent baseline_mean baseline_std tempbalance_mean tempbalance_std`
    /// (`NaN` for an arm without runs).
    public func data(_ points: [Point]) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "NaN" }
        var dat = "# ratio_percent baseline_mean baseline_std tempbalance_mean tempbalance_std (\(quantity))\n"
        for p in points {
            dat += "\(p.percent) \(f(p.baseline?.mean)) \(f(p.baseline?.std)) \(f(p.tempBalance?.mean)) \(f(p.tempBalance?.std))\n"
        }
        return dat
    }

    /// The figure: one error-bar series per arm (points without runs left out).
    public func figure(_ points: [Point]) -> Figure {
        let tics = points.map { Tic(String(format: "%g", $0.percent), $0.percent) }
        var panel = Panel(title: Markup.plain(title),
                          x: Axis("training data (% of the pool)", scale: .log, min: xrange.0, max: xrange.1, tics: tics),
                          y: Axis(Markup.plain(ylabel)))
        let arms: [(String, Double, PointShape, [(mean: Double, std: Double)?])] = [
            ("baseline", 0.97, .circle, points.map(\.baseline)), ("TempBalance", 1.03, .square, points.map(\.tempBalance)),
        ]
        for (k, (label, shift, shape, values)) in arms.enumerated() {
            var columns = [[Double]](repeating: [], count: 4)
            for (p, v) in zip(points, values) {
                guard let v else { continue }
                for (c, x) in [p.percent * shift, v.mean, v.mean - v.std, v.mean + v.std].enumerated() { columns[c].append(x) }
            }
            panel.series.append(Series(label, .columns(columns), .errorBars(LineStyle(Style.seriesColor(k)), shape, size: 0.9)))
        }
        panel.key = key
        return Figure(name: name, panel: panel)
    }

    /// Writes the data file into `folder` and, with a gnuplot executable, draws `<name>.png`.
    /// - Returns: the paths written.
    /// - Throws: `AtomicFile`'s and Plot's errors (a figure gnuplot failed to draw names it).
    public func write(_ points: [Point], to folder: String, gnuplot: String?) throws -> [String] {
        let dat = folder + "/" + name + ".dat"
        try AtomicFile.write(data(points), to: dat)
        guard let gnuplot else { return [dat] }
        return [dat] + (try Plotter.plot([figure(points)], options: PlotOptions(), gnuplot: gnuplot, out: folder).files)
    }

    /// An experiment's report in `folder`: `<name>.md` (the table), `<name>.csv` (every run) and
    /// this figure (`write(_:to:gnuplot:)`).
    /// - Returns: the paths written.
    func writeReport(markdown: String, csv: String, points: [Point], to folder: String, gnuplot: String?) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = folder + "/" + name
        try AtomicFile.write(markdown, to: base + ".md")
        try AtomicFile.write(csv, to: base + ".csv")
        return [base + ".md", base + ".csv"] + (try write(points, to: folder, gnuplot: gnuplot))
    }
}
