import Analyzer
import ArgumentParser
import Checkpoint
import Foundation
import PowerLaw
import Train

struct PolicyCommand: ParsableCommand {
    /// A checkpoint is analysed with every layer of at least this many eigenvalues.
    static let checkpointMinEvals = AnalysisOptions.Limits.evals.lower

    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Turn per-layer fits into TempBalance learning-rate multipliers (a policy JSON file).",
        discussion: """
        INPUT is an analysis JSON (htsr analyze --format json), '-' for one on standard input, or a
        checkpoint (analysed here with --min-evals \(checkpointMinEvals), so the first and last layers
        are the model's own). The policy file lists the
        options, each layer's metric and multiplier, and "parameters": name → multiplier, so that
        lr(name) = η · parameters[name].
        """)

    @Argument(help: "ANALYSIS.json, '-' (an analysis on standard input), or a checkpoint.")
    var input: String

    @OptionGroup var policy: PolicyArguments
    @OptionGroup var memory: MemoryArguments

    @Option(help: "Hill's xmin position when analysing a checkpoint; \(Hill.xminPosRange).")
    var xminPos: Double = AnalysisOptions().xminPos

    @Option(help: ArgumentHelp("With a checkpoint: its layer order, one parameter name per line (as 'htsr analyze --order').", valueName: "FILE"))
    var order: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the policy to FILE.json ('-': standard output, the default).", valueName: "FILE"))
    var output: String?

    func validate() throws {
        try validated { try Hill.xminPosRange.check(xminPos, "xmin_pos") }
        let isAnalysis: Bool
        if case .analysisJSON = PlotInput(input) { isAnalysis = true } else { isAnalysis = false }
        if isAnalysis && order != nil {
            throw ValidationError("--order goes with a checkpoint; an analysis JSON keeps the order it was made with")
        }
        if case let .file(path, _)? = try output.map({ try OutputTarget($0, formats: [.json], allowFolder: false) }) {
            var inputs = CommandInputs()
            if isAnalysis { inputs.file(input) } else { inputs.checkpoint(input) }
            inputs.file(order)
            try inputs.check(file: path, option: "--output")
        }
    }

    /// The input as messages name it.
    private var inputName: String { input == StandardStreams.name ? "standard input" : input }

    func run() throws {
        let report: AnalysisReport
        var rows: [Row]?
        if case .analysisJSON = PlotInput(input) {
            // Read once (standard input cannot be read twice): the report and its rows as written.
            let data = try analysisInputData(input)
            report = try AnalysisReport.decode(data, source: inputName)
            rows = AnalysisReport.layerRows(data)
        } else {
            var o = AnalysisOptions()
            o.minEvals = Self.checkpointMinEvals
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
            throw PolicyInputError(file: inputName, error: e)
        }
        for w in file.warnings { Terminal.error("\(inputName): \(w)") }
        let text = String(decoding: try file.jsonData(), as: UTF8.self) + "\n"
        switch try output.map({ try OutputTarget($0, formats: [.json], allowFolder: false) }) {
        case let .file(path, _)?: try AtomicFile.write(text, to: path)
        default: StandardStreams.write(text)
        }
    }
}

/// A policy error on an input, naming the file.
struct PolicyInputError: Error, CustomStringConvertible {
    let file: String
    let error: PolicyError
    var description: String { "\(file): \(error)" }
}
