import ArgumentParser
import Analyzer
import Checkpoint
import Foundation
import Plot

extension QuantizedMode: ExpressibleByArgument {}

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Compute every layer's eigenvalue spectrum and its power-law fits.",
        discussion: """
        PATH is a .safetensors file, a PyTorch .bin/.pt/.pth, a shard index (*.safetensors.index.json,
        pytorch_model.bin.index.json), a Hugging Face model folder, a GGUF file, a Keras 3 .keras
        archive or a Keras HDF5 file (.h5, .weights.h5). One row per layer: λmax, norms, ranks, the
        Hill fit (hill_*), the KS fit (ks_*), and the --fit choice under WeightWatcher's column names.
        Quantized weights (GGUF types, int8 + scale, bitsandbytes int8, GPTQ) are dequantized and
        their scheme named in the quantization column.

        With --compare-quantized BASE QUANT, both are analysed and each layer's change in α, λmax
        and stable rank is reported (did quantization damage this layer's spectrum?).

        With --base BASE each layer is W − W_base (matched by name). A LoRA adapter (a PEFT
        adapter_model.safetensors or its folder) is analysed as its update scale·B·A, or as
        W + scale·B·A with --base; scale = lora_alpha/r from adapter_config.json beside it.
        """,
        aliases: ["analyse"])

    @Argument(help: "Checkpoints to analyse.")
    var paths: [String]

    @OptionGroup var analysis: AnalysisArguments

    @Option(help: "Standard output format (also of the files in an --output folder): table, json or csv. With several PATHs, json is one array of analyses and csv one table with a first column 'model'.")
    var format: OutputFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Write the analysis to FILE (repeatable): .json, .csv or .txt (a table) by its extension; '-' for standard output; DIR/ (or an existing folder) for one DIR/<name>.<ext> per PATH in --format. With several PATHs a FILE holds them all.",
        valueName: "FILE"))
    var output: [String] = []

    @Option(help: ArgumentHelp("Save each layer's eigenvalues as DIR/<id>_<name>.npy (float64, ascending; with several PATHs DIR/<name>/<id>_<name>.npy), put in place when the analysis succeeds.", valueName: "DIR"))
    var saveEigenvalues: String?

    @Flag(name: .shortAndLong, help: "Print nothing on standard output when --output is given.")
    var quiet = false

    @Option(help: ArgumentHelp("Analyse W − W_base, or a LoRA adapter merged into BASE (W + B·A).", valueName: "BASE"))
    var base: String?

    @Option(help: "Quantized weights: dequantize (W = scale·q, the default) or raw (the integer matrix itself).")
    var quantized: QuantizedMode = .dequantize

    @Flag(help: "Analyse quantized weights dequantized (the default; the same as --quantized dequantize).")
    var dequantize = false

    @Flag(help: "Take two PATHs, BASE (float) and QUANT (its quantized version), and report per layer the change in α, λmax and stable rank.")
    var compareQuantized = false

    @Flag(help: "Print the seconds spent per stage (read, spectra, fits, MP, randomisation, TPL, fingers, FARMS, output) to standard error.")
    var timings = false

    func validate() throws {
        if dequantize && quantized == .raw { throw ValidationError("--dequantize and --quantized raw contradict each other; give one.") }
        let targets = try outputTargets()
        let files = targets.compactMap(\.path)
        if let twice = files.first(where: { p in files.filter { $0 == p }.count > 1 }) {
            throw ValidationError("--output '\(twice)' is given twice")
        }
        if compareQuantized {
            guard paths.count == 2 else { throw ValidationError("--compare-quantized takes two checkpoints, BASE and QUANT; got \(paths.count).") }
            guard base == nil, saveEigenvalues == nil, output.count <= 1 else {
                throw ValidationError("--compare-quantized writes one comparison: it does not combine with --base, --save-eigenvalues or several --output files.")
            }
            return
        }
        let inputs = self.inputs
        for target in targets {
            switch target {
            case .standardOutput: break
            case let .file(path, _): try inputs.check(file: path, option: "--output")
            case let .folder(dir):
                try inputs.check(folder: dir, option: "--output", replaces: false)
                for path in paths { try inputs.check(file: dir + "/" + stem(path) + "." + format.fileExtension, option: "--output") }
            }
        }
        if let dir = saveEigenvalues { try inputs.check(folder: dir, option: "--save-eigenvalues", replaces: false) }
        if targets.contains(where: { if case .folder = $0 { return true } else { return false } }) || (saveEigenvalues != nil && paths.count > 1) {
            let names = paths.map(stem)
            if let clash = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw ValidationError("two checkpoints are both named '\(clash)' in the --output or --save-eigenvalues folder; analyse them in separate calls")
            }
        }
    }

    /// What this command reads (checked against what it writes).
    var inputs: CommandInputs {
        var i = CommandInputs()
        for p in paths { i.checkpoint(p) }
        i.checkpoint(base)
        i.file(analysis.order)
        return i
    }

    /// The `--output` values, resolved (a comparison writes one file, not a folder).
    func outputTargets() throws -> [OutputTarget] {
        try output.map { try OutputTarget($0, option: "--output", allowFolder: !compareQuantized) }
    }

    func run() throws {
        if compareQuantized { return try runComparison() }
        var nonFiniteLayers = 0
        var analysed: [(path: String, report: AnalysisReport)] = []
        var clocks: [(path: String, clock: StageTimings, start: Date)] = []
        // The spectra go to a staging folder put in place at the end (removed on a failure or an
        // interrupt); with several PATHs each gets DIR/<name>/.
        let eigenvalues = try saveEigenvalues.map { try StagedFolder(target: $0, mode: .merge) }
        eigenvalues?.protected = inputs.identities
        for path in paths {
            let start = Date()
            let clock = timings ? StageTimings() : nil
            let folder = eigenvalues.map { paths.count == 1 ? $0.staging : $0.path(stem(path)) }
            let report = try eigenvalues.map { e in try e.namingFinalPaths { try analyzeOne(path, timings: clock, eigenvalues: folder) } }
                ?? analyzeOne(path, timings: clock)
            reportUnmatched(report, path: path)
            analysed.append((path, report))
            if let clock { clocks.append((path, clock, start)) }
            for layer in report.layers {
                if case let .nonFinite(count) = layer.status {
                    Terminal.error("\(path): layer \(layer.name) has \(count) NaN/Inf weights; it was not analysed")
                    nonFiniteLayers += 1
                }
            }
        }
        let outputStart = Date()
        try eigenvalues?.commit()
        try emit(analysed)
        if let last = clocks.last { last.clock.add(.output, Date().timeIntervalSince(outputStart)) }
        for c in clocks {
            let text = "timings for \(c.path):\n" + c.clock.report(wall: Date().timeIntervalSince(c.start))
            FileHandle.standardError.write(Data(text.utf8))
        }
        if nonFiniteLayers > 0 { throw ExitCode(3) }
    }

    /// One stderr line per side listing the layers that `--base` or a LoRA adapter left unmatched.
    private func reportUnmatched(_ report: AnalysisReport, path: String) {
        guard let c = report.comparison else { return }
        if !c.modelOnly.isEmpty {
            Terminal.error("\(path): \(c.modelOnly.count) layer(s) have no match in \(c.base ?? "the base") and were not analysed: \(c.modelOnly.joined(separator: ", "))")
        }
        if !c.baseOnly.isEmpty {
            let what = c.mode == .delta ? "have no match in \(path)" : "have no LoRA adapter"
            Terminal.error("\(c.base ?? "base"): \(c.baseOnly.count) layer(s) \(what): \(c.baseOnly.joined(separator: ", "))")
        }
        if c.mode != .delta, c.adapterConfig == nil {
            Terminal.error("\(path): no adapter_config.json beside the adapter; B·A is not scaled (scale 1)")
        }
    }

    /// Analyses `path`; with `eigenvalues` (a folder in the staged --save-eigenvalues folder),
    /// each layer's spectrum is written there.
    private func analyzeOne(_ path: String, timings: StageTimings?, eigenvalues: String? = nil) throws -> AnalysisReport {
        let source = try AnalysisInput.open(path, base: base, quantized: quantized)
        let progress = Terminal.ProgressLine(prefix: URL(fileURLWithPath: path).lastPathComponent)
        defer { progress.finish() }
        var keep: (@Sendable (LayerReport, Spectrum.ESD) throws -> Void)?
        if let dir = eigenvalues {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw OutputError(file: saveEigenvalues ?? dir, problem: "cannot create the folder: \(FileProblem.text(error))")
            }
            keep = { layer, esd in
                try AtomicFile.write(NpyWriter.data(esd.eigenvalues), to: dir + "/" + eigenvalueFileName(layer))
            }
        }
        return try Analyzer.analyze(source, options: analysis.options, order: try analysis.layerOrder(for: source),
                                    progress: { progress.update($0, $1, $2) },
                                    keepEigenvalues: keep, timings: timings)
    }

    /// `--compare-quantized BASE QUANT`: both analysed with the same options, then compared.
    private func runComparison() throws {
        let reports = try paths.map { try analyzeOne($0, timings: nil) }
        let c = QuantizationComparison(base: reports[0], quantized: reports[1], basePath: paths[0], quantizedPath: paths[1])
        func render(_ format: OutputFormat) throws -> String {
            switch format {
            case .table: return c.table()
            case .csv: return c.csv()
            case .json: return String(decoding: try c.jsonData(), as: UTF8.self) + "\n"
            }
        }
        try write(outputTargets(), render: render)
    }

    /// Writes the analyses: each `--output` target in its format, and standard output in
    /// `--format` (always when there is no `--output` or one is `-`; else unless `--quiet`).
    private func emit(_ analysed: [(path: String, report: AnalysisReport)]) throws {
        func render(_ format: OutputFormat) throws -> String {
            paths.count == 1 ? try Self.render(analysed[0].report, as: format) : try Self.render(analysed, as: format)
        }
        try write(outputTargets(), render: render) { folder in
            for a in analysed {
                try AtomicFile.write(try Self.render(a.report, as: format), to: folder + "/" + stem(a.path) + "." + format.fileExtension)
            }
        }
    }

    /// Puts `render`'s text into every target (`folder` fills a folder target) and on standard output.
    private func write(_ targets: [OutputTarget], render: (OutputFormat) throws -> String,
                       folder: ((String) throws -> Void)? = nil) throws {
        for target in targets {
            switch target {
            case .standardOutput: break
            case let .file(path, fileFormat): try AtomicFile.write(try render(fileFormat), to: path)
            case let .folder(dir):
                do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw OutputError(file: dir, problem: "cannot create the folder: \(FileProblem.text(error))")
                }
                try folder?(dir)
            }
        }
        if targets.isEmpty || targets.contains(.standardOutput) || !quiet { StandardStreams.write(try render(format)) }
    }

    /// One analysis as text.
    static func render(_ report: AnalysisReport, as format: OutputFormat) throws -> String {
        switch format {
        case .table: return ReportFormatter.table(report)
        case .csv: return ReportFormatter.csv(report)
        case .json: return String(decoding: try report.jsonData(), as: UTF8.self) + "\n"
        }
    }

    /// Several analyses as one document: tables one after another under their paths, one CSV
    /// with a first column `model`, or one JSON array.
    static func render(_ analysed: [(path: String, report: AnalysisReport)], as format: OutputFormat) throws -> String {
        switch format {
        case .table: return analysed.map { "== \($0.path) ==\n" + ReportFormatter.table($0.report) }.joined(separator: "\n")
        case .csv: return ReportFormatter.csv(analysed.map { (model: $0.path, report: $0.report) })
        case .json: return String(decoding: try AnalysisReport.jsonData(analysed.map(\.report)), as: UTF8.self) + "\n"
        }
    }
}

import Spectrum

/// `<id>_<name>.npy` with characters outside [A-Za-z0-9._-] replaced by `_`.
func eigenvalueFileName(_ layer: LayerReport) -> String {
    EigenvalueFiles.fileName(id: layer.id, name: layer.name)
}

/// A short name for a checkpoint path: the file name without extension, or the folder name
/// when the file name is a generic `model.safetensors`.
func stem(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    var name = url.deletingPathExtension().lastPathComponent
    if name == "model" || name.hasPrefix("model.safetensors") { name = url.deletingLastPathComponent().lastPathComponent }
    return name
}

func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}
