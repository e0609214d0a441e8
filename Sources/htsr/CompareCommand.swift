import ArgumentParser
import Analyzer
import Checkpoint

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two analyses layer by layer: Δ = B − A of a metric, and the change of the summary.",
        discussion: """
        A and B are analysis JSON files written by `htsr analyze --format json` (or -o FILE.json),
        '-' for one read from standard input, or checkpoints (analysed here with the analysis
        options below). Layers are matched by name; layers of only one analysis are listed.
        METRIC is any numeric column of the analysis, e.g. alpha, hill_alpha (alias
        PL_Alpha_Hill), ks_alpha, stable_rank, mp_softrank.
        """)

    @Argument(help: "The first analysis or checkpoint (the reference).")
    var a: String

    @Argument(help: "The second analysis or checkpoint.")
    var b: String

    @Option(help: "The column to compare.")
    var metric: String = "alpha"

    @Option(help: "Standard output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the comparison to FILE: .json, .csv or .txt (a table) by its extension; '-' for standard output.",
                                                    valueName: "FILE"))
    var output: String?

    @Flag(name: .shortAndLong, help: "Print nothing on standard output when --output is given.")
    var quiet = false

    @OptionGroup(title: "Analysis options (for checkpoints)") var analysis: AnalysisArguments

    func validate() throws {
        try checkOneStandardInput([a, b])
        if case let .file(path, _)? = try outputTarget() {
            var inputs = CommandInputs()
            for p in [a, b] {
                if case .analysisJSON = PlotInput(p) { inputs.file(p) } else { inputs.checkpoint(p) }
            }
            try inputs.check(file: path, option: "--output")
        }
    }

    func outputTarget() throws -> OutputTarget? {
        try output.map { try OutputTarget($0, allowFolder: false) }
    }

    func run() throws {
        let comparison = try ReportComparison(try report(a), try report(b), metric: metric, pathA: a, pathB: b)
        func render(_ format: OutputFormat) throws -> String {
            switch format {
            case .table: return comparison.table()
            case .csv: return comparison.csv()
            case .json: return String(decoding: try comparison.jsonData(), as: UTF8.self) + "\n"
            }
        }
        let target = try outputTarget()
        if case let .file(path, fileFormat)? = target { try AtomicFile.write(try render(fileFormat), to: path) }
        if target == nil || target == .standardOutput || !quiet { StandardStreams.write(try render(format)) }
    }

    /// An analysis JSON (or `-`) as it is, a checkpoint analysed with the analysis options.
    private func report(_ path: String) throws -> AnalysisReport {
        if case .analysisJSON = PlotInput(path) { return try loadAnalysisReport(path) }
        let progress = Terminal.ProgressLine(prefix: URL(fileURLWithPath: path).lastPathComponent)
        defer { progress.finish() }
        return try Analyzer.analyze(try AnalysisInput.open(path, base: nil), options: analysis.options,
                                    progress: { progress.update($0, $1, $2) })
    }
}

import Foundation
