import ArgumentParser
import Analyzer
import Checkpoint
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Compute every layer's eigenvalue spectrum and its power-law fits.",
        discussion: """
        PATH is a .safetensors file, a sharded *.safetensors.index.json, a Hugging Face model folder,
        or a Keras HDF5 file (.h5, .weights.h5). One row per layer: λmax, norms, ranks, the Hill fit
        (hill_*), the KS fit (ks_*), and the --fit choice under WeightWatcher's column names.
        """)

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

    func validate() throws {
        if paths.count > 1 {
            for o in output where !o.hasSuffix("/") && !isDirectory(o) {
                throw ValidationError("With several checkpoints, --output must be a folder (end it with '/'); got '\(o)'.")
            }
        }
    }

    func run() throws {
        var nonFiniteLayers = 0
        for path in paths {
            let report = try analyzeOne(path)
            try emit(report, for: path)
            for layer in report.layers {
                if case let .nonFinite(count) = layer.status {
                    Terminal.error("\(path): layer \(layer.name) has \(count) NaN/Inf weights; it was not analysed")
                    nonFiniteLayers += 1
                }
            }
        }
        if nonFiniteLayers > 0 { throw ExitCode(3) }
    }

    private func analyzeOne(_ path: String) throws -> AnalysisReport {
        let checkpoint = try Checkpoint.open(path)
        let progress = Terminal.ProgressLine(prefix: URL(fileURLWithPath: path).lastPathComponent)
        defer { progress.finish() }
        var keep: (@Sendable (LayerReport, Spectrum.ESD) throws -> Void)?
        if let dir = saveEigenvalues {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            keep = { layer, esd in
                try AtomicFile.write(NpyWriter.data(esd.eigenvalues), to: dir + "/" + eigenvalueFileName(layer))
            }
        }
        return try Analyzer.analyze(checkpoint, options: analysis.options, progress: { progress.update($0, $1, $2) }, keepEigenvalues: keep)
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
