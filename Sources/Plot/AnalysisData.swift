import Analyzer
import Checkpoint
import Foundation
import Synchronization
import Spectrum

/// Where the per-layer spectra come from.
public enum EigenvalueStore: Sendable {
    /// None: only model-level figures can be drawn.
    case none
    /// Kept in memory by an in-process analysis, by layer id.
    case memory([Int: [Double]])
    /// Files `<id>_<name>.npy` written by `htsr analyze --save-eigenvalues DIR`.
    case folder(String)

    public var isAvailable: Bool { if case .none = self { return false } else { return true } }

    /// The layer's eigenvalues (ascending), or nil when the store has none for it.
    ///
    /// - Throws: for a folder, when the layer's file is missing or malformed, or its length is not
    ///   the analysis's `num_evals` (the folder belongs to another analysis).
    public func eigenvalues(of layer: LayerReport) throws -> [Double]? {
        switch self {
        case .none: return nil
        case let .memory(m): return m[layer.id]
        case let .folder(dir):
            let path = dir + "/" + EigenvalueFiles.fileName(id: layer.id, name: layer.name)
            guard FileManager.default.fileExists(atPath: path) else {
                throw PlotError.missingEigenvalues("\(path): missing; the per-layer figures of \(layer.name) need it (write it with htsr analyze --save-eigenvalues \(dir))")
            }
            let values = try EigenvalueFiles.read(path)
            guard values.count == layer.numEvals else {
                throw PlotError.missingEigenvalues("\(path): holds \(values.count) eigenvalues but the analysis has \(layer.numEvals) for \(layer.name); it belongs to another analysis")
            }
            return values
        }
    }
}

/// An analysis ready to plot: the report, its raw rows (every column, including ones this
/// version does not model, such as a Marchenko–Pastur fit), and the spectra.
public struct AnalysisData: Sendable {
    public var report: AnalysisReport
    /// The layer rows as stored, in the order of `report.layers`.
    public var rows: [Row]
    /// A short name for titles and file names (the checkpoint or analysis file stem).
    public var label: String
    public var eigenvalues: EigenvalueStore
    /// The analysis JSON as read, when the input was one (copied verbatim into reports).
    public var originalJSON: Data?

    public init(report: AnalysisReport, rows: [Row], label: String, eigenvalues: EigenvalueStore, originalJSON: Data? = nil) {
        self.report = report
        self.rows = rows
        self.label = label
        self.eigenvalues = eigenvalues
        self.originalJSON = originalJSON
    }

    /// Runs the analysis in process.
    ///
    /// - Parameters:
    ///   - order: the layer order (`--order FILE`); nil: the source's forward order.
    ///   - keepEigenvalues: keep each layer's spectrum in memory for per-layer figures.
    /// - Throws: the analysis's errors; `PlotError.noLayers` when no layer could be analysed.
    public static func analyze(_ source: TensorSource, label: String, options: AnalysisOptions, order: LayerOrder? = nil,
                               keepEigenvalues: Bool, progress: Analyzer.Progress? = nil) throws -> AnalysisData {
        let kept = KeptSpectra()
        var keep: (@Sendable (LayerReport, ESD) throws -> Void)?
        if keepEigenvalues { keep = { @Sendable layer, esd in kept.store(esd.eigenvalues, id: layer.id) } }
        let report = try Analyzer.analyze(source, options: options, order: order, progress: progress, keepEigenvalues: keep)
        guard !report.layers.isEmpty else { throw PlotError.noLayers(source: source.label, skipped: report.skipped.count) }
        return AnalysisData(report: report, rows: report.layers.map(\.row), label: label,
                            eigenvalues: keepEigenvalues ? .memory(kept.all) : .none)
    }

    /// Reads an analysis written by `htsr analyze --output FILE.json` (format and version
    /// checked by `AnalysisReport.load`), with the spectra from `eigenvalueFolder` if given.
    public static func load(json path: String, label: String, eigenvalueFolder: String?) throws -> AnalysisData {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnalysisError.invalidAnalysisFile(file: path, problem: "cannot read the file")
        }
        return try load(json: data, source: path, label: label, eigenvalueFolder: eigenvalueFolder)
    }

    /// An analysis from its JSON bytes (a file's, or standard input's); `source` names it in errors.
    public static func load(json data: Data, source path: String, label: String, eigenvalueFolder: String?) throws -> AnalysisData {
        let report = try AnalysisReport.decode(data, source: path)
        guard !report.layers.isEmpty else { throw PlotError.noLayers(source: path, skipped: report.skipped.count) }
        // Every stored column, also those this version does not model (the report has checked the file).
        let rows = AnalysisReport.layerRows(data) ?? report.layers.map(\.row)
        // An array holding the one analysis: the report writes the analysis, not the array.
        let original: Data? = (try? JSONParser.parse([UInt8](data)))?.arrayValue == nil ? data : nil
        if let dir = eigenvalueFolder {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw PlotError.missingEigenvalues("\(dir): no such folder (--eigenvalues names the folder written by htsr analyze --save-eigenvalues)")
            }
        }
        return AnalysisData(report: report, rows: rows, label: label,
                            eigenvalues: eigenvalueFolder.map { .folder($0) } ?? .none, originalJSON: original)
    }

    /// The spectrum of a layer for the per-layer figures, with the Marchenko–Pastur bulk when its
    /// row has one; nil when the layer was not analysed (non-finite weights) or the store lacks it.
    public func spectrum(_ index: Int) throws -> LayerSpectrum? {
        let layer = report.layers[index]
        guard layer.status == .ok, let values = try eigenvalues.eigenvalues(of: layer) else { return nil }
        let row = index < rows.count ? rows[index] : layer.row
        return LayerSpectrum(layer: layer, eigenvalues: values, options: report.options, marchenkoPastur: MarchenkoPastur(row: row))
    }
}

/// Spectra stored from the analyzer's worker threads.
final class KeptSpectra: Sendable {
    private let values = Mutex<[Int: [Double]]>([:])
    func store(_ v: [Double], id: Int) { values.withLock { $0[id] = v } }
    var all: [Int: [Double]] { values.withLock { $0 } }
}
