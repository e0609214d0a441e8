import Analyzer
import Foundation

/// Where each figure goes inside an output folder:
///
///     <kind>.<ext>                      model, comparison and training figures
///     layers/<id>_<name>/<kind>.<ext>   per-layer figures (the stem of the eigenvalue files)
public enum FigurePaths {
    public static func model(_ kind: FigureKind, _ format: ImageFormat) -> String {
        "\(kind.rawValue).\(format.fileExtension)"
    }

    public static func layerFolder(_ layer: LayerReport) -> String {
        "layers/" + EigenvalueFiles.stem(id: layer.id, name: layer.name)
    }

    public static func layer(_ kind: FigureKind, _ layer: LayerReport, _ format: ImageFormat) -> String {
        layerFolder(layer) + "/\(kind.rawValue).\(format.fileExtension)"
    }
}

/// Turns inputs and a figure selection into batches for the renderer. Figures are built
/// lazily, on the rendering threads.
public enum FigurePlanner {
    /// The indices of the layers that get per-layer figures: analysed (status ok) and, when
    /// `pattern` is given, whose name it matches.
    ///
    /// - Throws: `PlotError.invalidRequest` for an invalid regular expression.
    public static func layerSelection(_ data: AnalysisData, pattern: String?) throws -> [Int] {
        let compiled: NamePattern?
        do { compiled = try pattern.map { try NamePattern($0) } } catch {
            throw PlotError.invalidRequest("--figure-layers \(error)")
        }
        return data.report.layers.indices.filter { i in
            let l = data.report.layers[i]
            guard l.status == .ok else { return false }
            return compiled?.matches(l.name) ?? true
        }
    }

    /// One batch per selected layer drawing the per-layer kinds into `folder`.
    public static func layerBatches(_ data: AnalysisData, layers: [Int], kinds: [FigureKind], folder: String,
                                    format: ImageFormat) -> [FigureBatch] {
        let kinds = kinds.filter { $0.group == .layer }
        guard !kinds.isEmpty else { return [] }
        return layers.map { i in
            let layer = data.report.layers[i]
            return FigureBatch(label: layer.name) {
                guard let spectrum = try data.spectrum(i) else {
                    throw PlotError.missingEigenvalues("\(layer.name): no eigenvalues for the per-layer figures")
                }
                return LayerFigures.figures(spectrum, kinds: kinds).map {
                    PlannedFigure($0, path: folder + "/" + FigurePaths.layer(FigureKind(rawValue: $0.name)!, layer, format))
                }
            }
        }
    }

    /// The model-level kinds of one analysis.
    public static func modelBatches(_ data: AnalysisData, kinds: [FigureKind], choice: AlphaChoice, folder: String,
                                    format: ImageFormat) -> [FigureBatch] {
        kinds.filter { $0.group == .model }.map { kind in
            FigureBatch(label: kind.rawValue) {
                let figure: Figure
                switch kind {
                case .alphaDepth: figure = ModelFigures.alphaDepth(data.report, choice: choice, title: data.label)
                case .alphaHistogram: figure = ModelFigures.alphaHistogram(data.report, choice: choice, title: data.label)
                default: figure = ModelFigures.lambdaMaxDepth(data.report, title: data.label)
                }
                return [PlannedFigure(figure, path: folder + "/" + FigurePaths.model(kind, format))]
            }
        }
    }

    /// The comparison kinds of two analyses (A is `base`).
    ///
    /// - Throws: `PlotError.invalidRequest` when no layer name is in both.
    public static func compareBatches(_ base: AnalysisData, _ other: AnalysisData, kinds: [FigureKind], choice: AlphaChoice,
                                      folder: String, format: ImageFormat) throws -> [FigureBatch] {
        let kinds = kinds.filter { $0.group == .compare }
        guard !kinds.isEmpty else { return [] }
        guard !ModelFigures.matched(base.report, other.report).isEmpty else {
            throw PlotError.invalidRequest("\(base.label) and \(other.label) have no layer names in common; nothing to compare")
        }
        let nameB = other.label == base.label ? other.label + " (B)" : other.label
        return kinds.map { kind in
            FigureBatch(label: kind.rawValue) {
                let figure = kind == .compareScatter
                    ? ModelFigures.compareScatter(base.report, other.report, nameA: base.label, nameB: nameB, choice: choice)
                    : ModelFigures.compareDelta(base.report, other.report, nameA: base.label, nameB: nameB, choice: choice)
                return [PlannedFigure(figure, path: folder + "/" + FigurePaths.model(kind, format))]
            }
        }
    }

    /// The training kinds of runs (one group of one run, or several groups overlaid), in one batch.
    public static func trainingBatches(_ groups: [TrainingRunGroup], kinds: [FigureKind], title: String, folder: String,
                                       format: ImageFormat) -> [FigureBatch] {
        let kinds = kinds.filter { $0.group == .training }
        guard !kinds.isEmpty else { return [] }
        return [FigureBatch(label: title) {
            TrainingFigures.figures(groups, kinds: kinds, title: title).map {
                PlannedFigure($0, path: folder + "/" + FigurePaths.model(FigureKind(rawValue: $0.name)!, format))
            }
        }]
    }

    /// The training kinds of one run's curves.
    public static func trainingBatches(_ log: TrainingCurves, kinds: [FigureKind], title: String, folder: String,
                                       format: ImageFormat) -> [FigureBatch] {
        trainingBatches([TrainingRunGroup(name: title, runs: [log])], kinds: kinds, title: title, folder: folder, format: format)
    }
}
