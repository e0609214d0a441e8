import Analyzer
import ArgumentParser
import Checkpoint
import Foundation
import PowerLaw
import Train

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Turn per-layer fits into TempBalance learning-rate multipliers (a policy JSON file).",
        discussion: """
        INPUT is an analysis JSON (htsr analyze --format json) or a checkpoint (analysed here with
        --min-evals 2, so the first and last layers are the model's own). The policy file lists the
        options, each layer's metric and multiplier, and "parameters": name → multiplier, so that
        lr(name) = η · parameters[name].
        """)

    @Argument(help: "ANALYSIS.json, '-' (an analysis on standard input), or a checkpoint.")
    var input: String

    @OptionGroup var policy: PolicyArguments

    @Option(help: "Hill's xmin position when analysing a checkpoint; \(Hill.xminPosRange).")
    var xminPos: Double = AnalysisOptions().xminPos

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the policy to FILE.json ('-': standard output, the default).", valueName: "FILE"))
    var output: String?

    func validate() throws {
        try validated { try Hill.xminPosRange.check(xminPos, "xmin_pos") }
        if case let .file(path, _)? = try output.map({ try OutputTarget($0, formats: [.json], allowFolder: false) }) {
            var inputs = CommandInputs()
            if case .analysisJSON = PlotInput(input) { inputs.file(input) } else { inputs.checkpoint(input) }
            try inputs.check(file: path, option: "--output")
        }
    }

    func run() throws {
        let report: AnalysisReport
        if case .analysisJSON = PlotInput(input) {
            report = try loadAnalysisReport(input)
        } else {
            var o = AnalysisOptions()
            o.minEvals = 2
            o.xminPos = xminPos
            o.threads = defaultThreadCount
            report = try Analyzer.analyze(try Checkpoint.open(input), options: o)
        }
        let file = PolicyFile(report: report, options: policy.options)
        for w in file.warnings { Terminal.error("\(input == StandardStreams.name ? "standard input" : input): \(w)") }
        let text = String(decoding: try file.jsonData(), as: UTF8.self) + "\n"
        switch try output.map({ try OutputTarget($0, formats: [.json], allowFolder: false) }) {
        case let .file(path, _)?: try AtomicFile.write(text, to: path)
        default: StandardStreams.write(text)
        }
    }
}
