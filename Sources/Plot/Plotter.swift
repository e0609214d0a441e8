import Checkpoint
import Analyzer
import Foundation

/// What to draw and how.
public struct PlotOptions: Sendable {
    /// The figure kinds; nil: every kind the inputs allow (`defaultKinds`).
    public var kinds: [FigureKind]?
    /// A regular expression selecting the layers that get per-layer figures (all analysed by default).
    public var figureLayers: String?
    public var alpha: AlphaChoice
    public var settings: RenderSettings
    /// gnuplot processes drawing in parallel, within `processRange`.
    public var processes: Int
    /// Seconds gnuplot may spend on one figure before it is stopped (`FigureRenderer`).
    public var figureTimeLimit: Double = FigureRenderer.defaultFigureTimeLimit
    /// The documented range of `processes`.
    public static let processRange = 1...256
    /// Files the output folder must never replace (the command's inputs).
    public var protected: [FileIdentity] = []

    public init(kinds: [FigureKind]? = nil, figureLayers: String? = nil, alpha: AlphaChoice = .fit,
                settings: RenderSettings = RenderSettings(), processes: Int = 2) {
        self.kinds = kinds
        self.figureLayers = figureLayers
        self.alpha = alpha
        self.settings = settings
        self.processes = processes
    }

    /// The kinds to draw for an analysis: the requested ones, or per-layer (when the spectra are
    /// available), model, and comparison (when there is a second analysis).
    ///
    /// - Throws: `PlotError.invalidRequest` when a requested kind cannot be drawn from these inputs.
    public func kinds(hasEigenvalues: Bool, hasComparison: Bool) throws -> [FigureKind] {
        guard let requested = kinds else {
            return FigureKind.allCases.filter {
                switch $0.group {
                case .layer: return hasEigenvalues
                case .model: return true
                case .compare: return hasComparison
                case .training: return false
                }
            }
        }
        if let k = requested.first(where: { $0.group == .training }) {
            throw PlotError.invalidRequest("figure '\(k.rawValue)' needs a training log (runs/NAME/log.jsonl), not an analysis")
        }
        if !hasEigenvalues, let k = requested.first(where: { $0.group == .layer }) {
            throw PlotError.invalidRequest("figure '\(k.rawValue)' needs the eigenvalues: give a checkpoint, or the analysis JSON with --eigenvalues DIR (written by htsr analyze --save-eigenvalues DIR)")
        }
        if !hasComparison, let k = requested.first(where: { $0.group == .compare }) {
            throw PlotError.invalidRequest("figure '\(k.rawValue)' needs a second analysis: add --compare PATH")
        }
        return requested
    }
}

/// `htsr plot`: draws figures of an analysis or a training log into a folder.
public enum Plotter {
    /// Draws the figures of an analysis (and of its comparison with `compare`) into `out`,
    /// all or nothing (`StagedFolder`, merge mode). Returns the files written, in `out`.
    public static func plot(_ data: AnalysisData, compare: AnalysisData?, options: PlotOptions, gnuplot: String, out: String,
                            progress: FigureRenderer.Progress? = nil) throws -> RenderOutcome {
        let kinds = try options.kinds(hasEigenvalues: data.eigenvalues.isAvailable, hasComparison: compare != nil)
        let layers = try FigurePlanner.layerSelection(data, pattern: options.figureLayers)
        if options.figureLayers != nil, layers.isEmpty, kinds.contains(where: { $0.group == .layer }) {
            throw PlotError.invalidRequest("--figure-layers '\(options.figureLayers!)' matches no analysed layer")
        }
        let folder = try StagedFolder(target: out, mode: .merge)
        folder.protected = options.protected
        let format = options.settings.format
        var batches = FigurePlanner.modelBatches(data, kinds: kinds, choice: options.alpha, folder: folder.staging, format: format)
        if let compare {
            batches += try FigurePlanner.compareBatches(data, compare, kinds: kinds, choice: options.alpha, folder: folder.staging, format: format)
        }
        batches += FigurePlanner.layerBatches(data, layers: layers, kinds: kinds, folder: folder.staging, format: format)
        return try render(batches, into: folder, options: options, gnuplot: gnuplot, progress: progress)
    }

    /// Draws the figures of a training run (its curves, read from its log by the caller) into
    /// `out` (all or nothing).
    public static func plot(_ log: TrainingCurves, title: String, options: PlotOptions, gnuplot: String, out: String,
                            progress: FigureRenderer.Progress? = nil) throws -> RenderOutcome {
        try plot([TrainingRunGroup(name: title, runs: [log])], title: title, options: options, gnuplot: gnuplot, out: out, progress: progress)
    }

    /// Draws the training figures of several runs overlaid, one colour per group, a group's
    /// runs as their mean and min–max band, into `out` (all or nothing).
    public static func plot(_ groups: [TrainingRunGroup], title: String, options: PlotOptions, gnuplot: String, out: String,
                            progress: FigureRenderer.Progress? = nil) throws -> RenderOutcome {
        let kinds = options.kinds ?? FigureKind.allCases.filter { $0.group == .training }
        if let k = kinds.first(where: { $0.group != .training }) {
            throw PlotError.invalidRequest("figure '\(k.rawValue)' needs an analysis or a checkpoint, not a training log")
        }
        let folder = try StagedFolder(target: out, mode: .merge)
        folder.protected = options.protected
        let batches = FigurePlanner.trainingBatches(groups, kinds: kinds, title: title, folder: folder.staging, format: options.settings.format)
        return try render(batches, into: folder, options: options, gnuplot: gnuplot, progress: progress)
    }

    /// Draws figures built elsewhere (e.g. an experiment's comparison figure) into `out`, each
    /// as `<figure name>.<ext>`, all or nothing (files of other names in `out` are kept).
    public static func plot(_ figures: [Figure], options: PlotOptions, gnuplot: String, out: String) throws -> RenderOutcome {
        let folder = try StagedFolder(target: out, mode: .merge)
        folder.protected = options.protected
        let staging = folder.staging, ext = options.settings.format.fileExtension
        let batches = figures.map { figure in
            FigureBatch(label: figure.name) { [PlannedFigure(figure, path: staging + "/" + figure.name + "." + ext)] }
        }
        return try render(batches, into: folder, options: options, gnuplot: gnuplot, progress: nil)
    }

    static func render(_ batches: [FigureBatch], into folder: StagedFolder, options: PlotOptions, gnuplot: String,
                       progress: FigureRenderer.Progress?) throws -> RenderOutcome {
        var renderer = FigureRenderer(executable: gnuplot, processes: options.processes, settings: options.settings)
        renderer.figureTimeLimit = options.figureTimeLimit
        var outcome = try folder.namingFinalPaths { try renderer.render(batches, progress: progress) }
        try folder.commit()
        outcome.files = outcome.files.map(folder.finalPath)
        outcome.warnings = outcome.warnings.map { $0.replacingOccurrences(of: folder.staging, with: folder.target) }
        return outcome
    }
}
