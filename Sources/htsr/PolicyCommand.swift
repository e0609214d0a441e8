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

    @Option(help: "Hill's xmin position when analysing a checkpoint.")
    var xminPos: Double = 2

    @Option(help: ArgumentHelp("With a checkpoint: its layer order, one parameter name per line (as 'htsr analyze --order').", valueName: "FILE"))
    var order: String?

    @Option(name: .shortAndLong, help: "Write the policy here (default: standard output).")
    var output: String?

    func run() throws {
        let report: AnalysisReport
        var rows: [Row]?
        if input.lowercased().hasSuffix(".json") && !input.hasSuffix(".index.json") {
            if order != nil { throw ValidationError("--order goes with a checkpoint; an analysis JSON keeps the order it was made with") }
            report = try AnalysisReport.load(input)
            rows = FileManager.default.contents(atPath: input).flatMap(AnalysisReport.layerRows)
        } else {
            var o = AnalysisOptions()
            o.minEvals = 2
            o.xminPos = xminPos
            o.threads = defaultThreadCount
            let checkpoint = try Checkpoint.open(input)
            let layerOrder = try order.map { try LayerOrder.fromFile($0, tensorNames: checkpoint.tensors.map(\.name)) }
            report = try Analyzer.analyze(checkpoint, options: o, order: layerOrder)
        }
        let file: PolicyFile
        do {
            file = try PolicyFile(report: report, rows: rows, options: policy.options)
        } catch let e as PolicyError {
            if case .unknownMetric = e { throw ValidationError(e.description) }
            throw PolicyInputError(file: input, error: e)
        }
        for w in file.warnings { Terminal.error("\(input): \(w)") }
        let text = String(decoding: try file.jsonData(), as: UTF8.self) + "\n"
        if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
    }
}

/// A policy error on an input, naming the file.
struct PolicyInputError: Error, CustomStringConvertible {
    let file: String
    let error: PolicyError
    var description: String { "\(file): \(error)" }
}
