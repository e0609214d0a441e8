import ArgumentParser
import Analyzer

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two analyses layer by layer: Δ = B − A of a metric, and the change of the summary.",
        discussion: """
        A and B are JSON files written by `htsr analyze --format json` (or -o FILE.json). Layers are
        matched by name; layers of only one analysis are listed. METRIC is any numeric column of the
        analysis, e.g. alpha, hill_alpha (alias PL_Alpha_Hill), ks_alpha, stable_rank, mp_softrank.
        """)

    @Argument(help: "The first analysis (the reference).")
    var a: String

    @Argument(help: "The second analysis.")
    var b: String

    @Option(help: "The column to compare.")
    var metric: String = "alpha"

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let comparison = try ReportComparison(try AnalysisReport.load(a), try AnalysisReport.load(b),
                                              metric: metric, pathA: a, pathB: b)
        switch format {
        case .table: print(comparison.table(), terminator: "")
        case .csv: print(comparison.csv(), terminator: "")
        case .json: print(String(decoding: try comparison.jsonData(), as: UTF8.self))
        }
    }
}
