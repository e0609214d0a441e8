import Analyzer
import Checkpoint
import Foundation

/// `htsr report`: a browsable folder for one analysis.
///
///     index.html              summary, model figures, per-layer table, skipped tensors
///     analysis.json / .csv    the analysis (the input JSON verbatim when one was given)
///     summary.md              the summary in Markdown
///     figures/<kind>.<ext>    model (and comparison) figures
///     layers/<id>_<name>.html a page per layer with figures, linking to
///     layers/<id>_<name>/<kind>.<ext>
///
/// Everything is written into a staging folder that replaces `out` only when complete.
public enum ReportBuilder {
    public struct Outcome: Sendable {
        /// Figures drawn.
        public var figures: Int
        public var warnings: [String]
        /// The report folder.
        public var folder: String
    }

    /// Writes the report. PDF figures are refused (browsers do not show them inline).
    public static func write(_ data: AnalysisData, compare: AnalysisData?, options: PlotOptions, gnuplot: String, out: String,
                             progress: FigureRenderer.Progress? = nil) throws -> Outcome {
        let format = options.settings.format
        guard format != .pdf else { throw PlotError.invalidRequest("a report shows its figures in a browser: use --format png or svg") }
        var kinds = try options.kinds(hasEigenvalues: data.eigenvalues.isAvailable, hasComparison: compare != nil)
        let layers = try FigurePlanner.layerSelection(data, pattern: options.figureLayers)
        if options.figureLayers != nil, layers.isEmpty, kinds.contains(where: { $0.group == .layer }) {
            throw PlotError.invalidRequest("--figure-layers '\(options.figureLayers!)' matches no analysed layer")
        }
        let layerKinds = kinds.filter { $0.group == .layer }
        kinds = kinds.filter { $0.group != .layer }
        let folder = try StagedFolder(target: out, mode: .replaceReport)
        folder.protected = options.protected
        let figureFolder = folder.path(ReportPages.modelFolder)
        var batches = FigurePlanner.modelBatches(data, kinds: kinds, choice: options.alpha, folder: figureFolder, format: format)
        if let compare {
            batches += try FigurePlanner.compareBatches(data, compare, kinds: kinds, choice: options.alpha, folder: figureFolder, format: format)
        }
        let pages = layerKinds.isEmpty ? [] : layers
        batches += FigurePlanner.layerBatches(data, layers: pages, kinds: layerKinds, folder: folder.staging, format: format)
        var renderer = FigureRenderer(executable: gnuplot, processes: options.processes, settings: options.settings)
        renderer.figureTimeLimit = options.figureTimeLimit
        let rendered = try folder.namingFinalPaths { try renderer.render(batches, progress: progress) }

        let reason: String? = !data.eigenvalues.isAvailable
            ? "the analysis was read from JSON without --eigenvalues DIR"
            : (layerKinds.isEmpty ? "no per-layer figure was selected" : nil)
        let contents = ReportContents(layerPages: pages, layerKinds: layerKinds, modelKinds: kinds.filter { $0.group != .layer },
                                      format: format, comparedWith: compare?.label, noLayerPagesReason: reason)
        try write(ReportPages.index(data, contents), to: folder.path("index.html"))
        for (k, i) in pages.enumerated() {
            let page = ReportPages.layer(data, index: i, previous: k > 0 ? pages[k - 1] : nil,
                                         next: k + 1 < pages.count ? pages[k + 1] : nil, contents)
            try write(page, to: folder.path(ReportPages.layerPage(data.report.layers[i])))
        }
        let json = try data.originalJSON ?? data.report.jsonData()
        try write(json, to: folder.path(ReportPages.analysisJSON))
        try write(ReportFormatter.csv(data.report), to: folder.path(ReportPages.analysisCSV))
        try write(ReportMarkdown.summary(data, contents), to: folder.path(ReportPages.summaryMarkdown))
        try folder.commit()
        return Outcome(figures: rendered.files.count,
                       warnings: rendered.warnings.map { $0.replacingOccurrences(of: folder.staging, with: folder.target) },
                       folder: folder.target)
    }

    static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    static func write(_ data: Data, to path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw PlotError.output(path: path, problem: "cannot write: \(FileProblem.text(error))")
        }
    }
}
