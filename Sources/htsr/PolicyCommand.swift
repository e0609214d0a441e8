import Analyzer
import ArgumentParser
import Checkpoint
import Foundation
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

    @Argument(help: "ANALYSIS.json or a checkpoint.")
    var input: String

    @OptionGroup var policy: PolicyArguments
    @OptionGroup var memory: MemoryArguments

    @Option(help: "Hill's xmin position when analysing a checkpoint.")
    var xminPos: Double = 2

    @Option(name: .shortAndLong, help: "Write the policy here (default: standard output).")
    var output: String?

    func run() throws {
        let report: AnalysisReport
        if input.lowercased().hasSuffix(".json") && !input.hasSuffix(".index.json") {
            report = try AnalysisReport.load(input)
        } else {
            var o = AnalysisOptions()
            o.minEvals = 2
            o.xminPos = xminPos
            o.threads = defaultThreadCount
            report = try Analyzer.analyze(try Checkpoint.open(input), options: o)
        }
        let file = PolicyFile(report: report, options: policy.options)
        for w in file.warnings { Terminal.error("\(input): \(w)") }
        let text = String(decoding: try file.jsonData(), as: UTF8.self) + "\n"
        if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
    }
}
