import ArgumentParser
import Experiments
import Foundation
import Plot

extension RunGrouping: ExpressibleByArgument {}

/// The training logs of `htsr plot RUN RUN…` after the first: each must be a run folder with
/// `log.jsonl` or a `.jsonl` file.
func trainingLogs(_ paths: [String]) throws -> [String] {
    try paths.map { path in
        guard case let .trainingLog(log) = PlotInput(path) else {
            throw ValidationError("\(path) is not a training log (a run folder with log.jsonl, or a .jsonl file); only training logs are overlaid")
        }
        return log
    }
}

/// Draws one run's training figures, or several runs overlaid in groups (Train's reader reads
/// each log; Plot gets the arrays). The title defaults to the run's name, or the group names.
func plotRuns(_ logs: [String], grouping: RunGrouping, title: String?, options: PlotOptions, gnuplot: String, out: String,
              progress: Terminal.ProgressLine) throws -> RenderOutcome {
    let groups = try TrainingRunGroup.load(logs: logs, grouping: logs.count == 1 ? .none : grouping)
    let title = title ?? groups.map(\.name).joined(separator: " vs ")
    return try Plotter.plot(groups, title: title, options: options, gnuplot: gnuplot, out: out, progress: { progress.update($0, $1, $2) })
}
