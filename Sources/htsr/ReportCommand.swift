import ArgumentParser
import Analyzer
import Foundation
import Plot

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a browsable report folder: index.html, figures, the analysis as JSON, CSV and Markdown.",
        discussion: """
        INPUT is a checkpoint (analysed here) or an analysis JSON (add --eigenvalues DIR for the per-layer pages). The folder is written whole or not at all; an existing --out is replaced only if it is an htsr report. Open OUT/index.html in a browser (no network needed).

        Needs gnuplot: \(PlotError.installHint)
        """)

    @Argument(help: "A checkpoint or an analysis JSON.")
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The report folder, e.g. reports/NAME.", valueName: "DIR"))
    var out: String

    @OptionGroup var figureOptions: FigureArguments
    @OptionGroup var analysis: AnalysisArguments

    @Flag(name: .shortAndLong, help: "Print nothing on standard output.")
    var quiet = false

    func validate() throws { try figureOptions.checkOutput(out, input: input, replaces: true) }

    func run() throws {
        let gnuplot = try GnuplotLocator.find()
        if case .trainingLog = PlotInput(input) {
            throw ValidationError("\(input) is a training log; plot it with htsr plot \(input)")
        }
        let options = try figureOptions.plotOptions(input: input)
        let (data, nonFinite) = try loadAnalysis(input, eigenvalues: figureOptions.eigenvalues, analysis: analysis,
                                                keepEigenvalues: true, title: figureOptions.title)
        let other = try figureOptions.compare.map { try loadAnalysis($0, eigenvalues: nil, analysis: analysis, keepEigenvalues: false).0 }
        let progress = Terminal.ProgressLine(prefix: "figures")
        let outcome = try ReportBuilder.write(data, compare: other, options: options, gnuplot: gnuplot, out: out,
                                              progress: { progress.update($0, $1, $2) })
        progress.finish()
        reportWarnings(outcome.warnings)
        if !quiet { print("wrote the report \(out)/index.html (\(outcome.figures) figures)") }
        if nonFinite > 0 { throw ExitCode(3) }
    }
}
