import ArgumentParser
import Analyzer
import Experiments
import Foundation
import Plot

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw figures of a checkpoint, an analysis or a training log with gnuplot.",
        discussion: """
        INPUT is a checkpoint (analysed here, spectra included), an analysis JSON written by htsr analyze (add --eigenvalues DIR for the per-layer figures), or a training log (runs/NAME or runs/NAME/log.jsonl).

        Several training logs are overlaid: htsr plot runs/base-s1 runs/base-s2 runs/tb-s1 runs/tb-s2 --out F draws each group (--group: by name without the seed suffix, by policy, or none) in one colour, its runs as their mean and a min–max band.

        Model figures go to OUT/<figure>.<ext>, per-layer ones to OUT/layers/<id>_<name>/<figure>.<ext>. Figures (--figures):
        \(FigureKind.allCases.map { "  \($0.rawValue) [\($0.group.rawValue)]: \($0.summary)" }.joined(separator: "\n"))

        Needs gnuplot: \(PlotError.installHint)
        """)

    @Argument(help: "A checkpoint, an analysis JSON, or a training log.")
    var input: String

    @Argument(help: ArgumentHelp("More training logs to overlay on the first.", valueName: "run"))
    var runs: [String] = []

    @Option(help: "How overlaid runs are grouped: name (the run's name without a -sN/-seedN suffix), policy (baseline vs TempBalance), or none.")
    var group: RunGrouping = .name

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder (created if missing; files of the same name are replaced).", valueName: "DIR"))
    var out: String = "figures"

    @OptionGroup var figureOptions: FigureArguments
    @OptionGroup var analysis: AnalysisArguments

    @Flag(name: .shortAndLong, help: "Print nothing on standard output.")
    var quiet = false

    func validate() throws { try figureOptions.checkOutput(out, input: input, replaces: false) }

    func run() throws {
        let gnuplot = try GnuplotLocator.find()
        let options = try figureOptions.plotOptions(input: input)
        let start = Date()
        let progress = Terminal.ProgressLine(prefix: "figures")
        defer { progress.finish() }
        let outcome: RenderOutcome
        var nonFinite = 0
        if case let .trainingLog(log) = PlotInput(input) {
            if figureOptions.compare != nil || figureOptions.eigenvalues != nil {
                throw ValidationError("--compare and --eigenvalues go with analyses, not with a training log")
            }
            outcome = try plotRuns([log] + trainingLogs(runs), grouping: group, title: figureOptions.title, options: options,
                                   gnuplot: gnuplot, out: out, progress: progress)
        } else {
            if let other = runs.first { throw ValidationError("\(other): only training logs are overlaid; \(input) is not one") }
            let wantsLayers = options.kinds.map { $0.contains { $0.group == .layer } } ?? true
            let (data, bad) = try loadAnalysis(input, eigenvalues: figureOptions.eigenvalues, analysis: analysis,
                                                keepEigenvalues: wantsLayers, title: figureOptions.title)
            nonFinite = bad
            let other = try figureOptions.compare.map {
                try loadAnalysis($0, eigenvalues: nil, analysis: analysis, keepEigenvalues: false).0
            }
            outcome = try Plotter.plot(data, compare: other, options: options, gnuplot: gnuplot, out: out,
                                       progress: { progress.update($0, $1, $2) })
        }
        progress.finish()
        reportWarnings(outcome.warnings)
        if !quiet {
            print("wrote \(outcome.files.count) figures to \(out) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        }
        if nonFinite > 0 { throw ExitCode(3) }
    }
}
