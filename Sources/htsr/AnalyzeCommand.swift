import ArgumentParser
import Analyzer
import Checkpoint
import Foundation

extension QuantizedMode: ExpressibleByArgument {}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

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

    @Option(help: "Standard output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Write the analysis to FILE (repeatable); the format follows the extension (.json, .csv, .txt). With several PATHs, a folder.",
        valueName: "FILE"))
    var output: [String] = []

    @Option(help: ArgumentHelp("Save each layer's eigenvalues as DIR/<id>_<name>.npy (float64, ascending).", valueName: "DIR"))
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
        if compareQuantized {
            guard paths.count == 2 else { throw ValidationError("--compare-quantized takes two checkpoints, BASE and QUANT; got \(paths.count).") }
            guard base == nil, saveEigenvalues == nil, output.count <= 1 else {
                throw ValidationError("--compare-quantized writes one comparison: it does not combine with --base, --save-eigenvalues or several --output files.")
            }
            return
        }
        if paths.count > 1 {
            for o in output where !o.hasSuffix("/") && !isDirectory(o) {
                throw ValidationError("With several checkpoints, --output must be a folder (end it with '/'); got '\(o)'.")
            }
        }
    }

    func run() throws {
        if compareQuantized { return try runComparison() }
        var nonFiniteLayers = 0
        for path in paths {
            let start = Date()
            let clock = timings ? StageTimings() : nil
            let report = try analyzeOne(path, timings: clock)
            reportUnmatched(report, path: path)
            let outputStart = Date()
            try emit(report, for: path)
            if let clock {
                clock.add(.output, Date().timeIntervalSince(outputStart))
                let text = "timings for \(path):\n" + clock.report(wall: Date().timeIntervalSince(start))
                FileHandle.standardError.write(Data(text.utf8))
            }
            for layer in report.layers {
                if case let .nonFinite(count) = layer.status {
                    Terminal.error("\(path): layer \(layer.name) has \(count) NaN/Inf weights; it was not analysed")
                    nonFiniteLayers += 1
                }
            }
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

    private func analyzeOne(_ path: String, timings: StageTimings?) throws -> AnalysisReport {
        let source = try AnalysisInput.open(path, base: base, quantized: quantized)
        let progress = Terminal.ProgressLine(prefix: URL(fileURLWithPath: path).lastPathComponent)
        defer { progress.finish() }
        var keep: (@Sendable (LayerReport, Spectrum.ESD) throws -> Void)?
        if let dir = saveEigenvalues {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
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
        let fileFormat = output.first.map { URL(fileURLWithPath: $0).pathExtension.lowercased() }.flatMap { OutputFormat(rawValue: $0) ?? ($0 == "txt" ? .table : nil) } ?? format
        let text: String
        switch fileFormat {
        case .table: text = c.table()
        case .csv: text = c.csv()
        case .json: text = String(decoding: try c.jsonData(), as: UTF8.self) + "\n"
        }
        if let o = output.first {
            try AtomicFile.write(text, to: o)
            if !quiet { print(c.table(), terminator: "") }
        } else {
            print(text, terminator: "")
        }
    }

    private func emit(_ report: AnalysisReport, for path: String) throws {
        if output.isEmpty {
            print(try render(report, as: format), terminator: "")
            return
        }
        for o in output {
            let target = paths.count > 1 ? o + (o.hasSuffix("/") ? "" : "/") + stem(path) + "." + format.rawValue : o
            let ext = URL(fileURLWithPath: target).pathExtension.lowercased()
            let fileFormat = OutputFormat(rawValue: ext) ?? (ext == "txt" ? .table : format)
            try AtomicFile.write(try render(report, as: fileFormat), to: target)
        }
        if !quiet { print(ReportFormatter.table(report), terminator: "") }
    }

    private func render(_ report: AnalysisReport, as format: OutputFormat) throws -> String {
        switch format {
        case .table: return ReportFormatter.table(report)
        case .csv: return ReportFormatter.csv(report)
        case .json: return String(decoding: try report.jsonData(), as: UTF8.self) + "\n"
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
