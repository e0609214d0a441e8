import ArgumentParser
import Analyzer
import Checkpoint
import Foundation
import Plot

extension ImageFormat: ExpressibleByArgument {}
extension AlphaChoice: ExpressibleByArgument {}
extension FigurePreset: ExpressibleByArgument {}

/// The options shared by `htsr plot` and `htsr report`: what to draw and how.
struct FigureArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Figures to draw: a comma-separated list of names or the groups layer, model, compare, training, all (default: every figure the inputs allow).",
                               valueName: "LIST"))
    var figures: String?

    @Option(help: ArgumentHelp("Draw per-layer figures only for layers whose name matches this regular expression.", valueName: "REGEX"))
    var figureLayers: String?

    @Option(help: ArgumentHelp("Analysis JSON input: the folder of per-layer eigenvalues written by htsr analyze --save-eigenvalues DIR.",
                               valueName: "DIR"))
    var eigenvalues: String?

    @Option(help: ArgumentHelp("A second checkpoint or analysis JSON to compare with (layers matched by name).", valueName: "PATH"))
    var compare: String?

    @Option(help: "The α of the model figures: fit (the --fit choice), hill or ks.")
    var alpha: AlphaChoice = .fit

    @Option(help: "Image format: png, svg or pdf.")
    var format: ImageFormat = .png

    @Option(help: ArgumentHelp("Figure size: WxH in pixels, or WxHin / WxHcm (72 pixels per inch); 64 to 20000 pixels a side.", valueName: "WxH"))
    var size: String = FigureArguments.defaultSize

    @Option(help: ArgumentHelp("Font: FACE,POINTS (e.g. 'DejaVu Sans,11'), 4 to 72 points.", valueName: "FONT"))
    var font: String = FigureArguments.defaultFont

    @Option(help: "gnuplot processes drawing in parallel; [\(PlotOptions.processRange.lowerBound), \(PlotOptions.processRange.upperBound)].")
    var processes: Int = min(defaultThreadCount, PlotOptions.processRange.upperBound)

    @Option(help: ArgumentHelp("Seconds gnuplot may spend on one figure; past it gnuplot is stopped and the command fails naming the figure.",
                               valueName: "SECONDS"))
    var figureTimeLimit: Double = FigureRenderer.defaultFigureTimeLimit

    @Option(help: ArgumentHelp("The model's name in titles (default: from the input path).", valueName: "TEXT"))
    var title: String?

    @Option(help: "paper: single-column print figures (3.5x2.6in, DejaVu Serif 8 pt, no titles; PNG at 300 dpi). A --size or --font other than the default replaces the preset's.")
    var preset: FigurePreset?

    static let defaultSize = "800x560"
    static let defaultFont = "DejaVu Sans,11"

    func validate() throws {
        if let f = figures, case let .failure(e) = FigureKind.parseList(f) { throw ValidationError(e.description) }
        guard FigureSize(parsing: size) != nil else {
            throw ValidationError("--size '\(size)' is not WxH (pixels) or WxHin / WxHcm of 64 to 20000 pixels a side, e.g. 800x560 or 3.5x2.5in")
        }
        guard FontSpec(parsing: font) != nil else { throw ValidationError("--font '\(font)' is not FACE,POINTS with 4 to 72 points") }
        guard PlotOptions.processRange.contains(processes) else {
            throw ValidationError("--processes \(processes): must be an integer in [\(PlotOptions.processRange.lowerBound), \(PlotOptions.processRange.upperBound)]")
        }
        guard figureTimeLimit.isFinite, figureTimeLimit > 0, figureTimeLimit <= 86_400 else {
            throw ValidationError("--figure-time-limit must be a number of seconds in (0, 86400]; got \(figureTimeLimit)")
        }
    }

    /// What a plot or report of `input` reads: the input, `--compare`, `--eigenvalues`.
    func inputs(_ input: String) -> CommandInputs {
        var i = CommandInputs()
        for path in [input, compare].compactMap({ $0 }) {
            switch PlotInput(path) {
            case .checkpoint: i.checkpoint(path)
            case let .analysisJSON(p), let .trainingLog(p): i.file(p)
            }
        }
        i.folder(eigenvalues)
        return i
    }

    /// Checks `--out` against the inputs (`replaces`: the folder is replaced whole).
    func checkOutput(_ out: String, input: String, replaces: Bool) throws {
        try checkOneStandardInput([input, compare])
        try inputs(input).check(folder: out, option: "--out", replaces: replaces)
    }

    /// The plot options; `input` is what the figures are made from (never replaced).
    func plotOptions(input: String) throws -> PlotOptions {
        var o = try plotOptions()
        o.protected = inputs(input).identities
        return o
    }

    func plotOptions() throws -> PlotOptions {
        var kinds: [FigureKind]?
        if let f = figures { kinds = try FigureKind.parseList(f).get() }
        var settings = RenderSettings(format: format, size: FigureSize(parsing: size)!, font: FontSpec(parsing: font)!)
        if let preset {
            settings = preset.settings(format: format, size: size == Self.defaultSize ? nil : settings.size,
                                       font: font == Self.defaultFont ? nil : settings.font)
        }
        var options = PlotOptions(kinds: kinds, figureLayers: figureLayers, alpha: alpha, settings: settings, processes: processes)
        options.figureTimeLimit = figureTimeLimit
        return options
    }
}

/// What an input path holds.
enum PlotInput {
    case checkpoint(String)
    case analysisJSON(String)
    case trainingLog(String)

    /// `-` is an analysis on standard input; a folder with `log.jsonl` or a `.jsonl` file is a
    /// training log; a `.json` file other than a sharded checkpoint's `*.index.json` is an
    /// analysis; anything else is a checkpoint.
    init(_ path: String) {
        let lower = path.lowercased()
        if path == StandardStreams.name {
            self = .analysisJSON(path)
        } else if isDirectory(path), FileManager.default.fileExists(atPath: path + "/log.jsonl") {
            self = .trainingLog(path + "/log.jsonl")
        } else if lower.hasSuffix(".jsonl") {
            self = .trainingLog(path)
        } else if lower.hasSuffix(".json") && !lower.hasSuffix(".index.json") {
            self = .analysisJSON(path)
        } else {
            self = .checkpoint(path)
        }
    }
}

/// Loads an analysis input: reads an analysis JSON, or analyses a checkpoint in process
/// (keeping the spectra when `keepEigenvalues`). Layers with NaN/Inf weights are reported on
/// stderr; their count is returned so the command can exit with status 3.
func loadAnalysis(_ path: String, eigenvalues: String?, analysis: AnalysisArguments, keepEigenvalues: Bool,
                  title: String? = nil) throws -> (AnalysisData, nonFinite: Int) {
    let label = title ?? inputLabel(path)
    let data: AnalysisData
    switch PlotInput(path) {
    case .trainingLog:
        throw ValidationError("\(path) is a training log; it cannot be compared with or reported as an analysis")
    case .analysisJSON where path == StandardStreams.name:
        data = try AnalysisData.load(json: try StandardStreams.readInput(), source: "standard input", label: title ?? "standard input",
                                     eigenvalueFolder: eigenvalues)
    case .analysisJSON:
        data = try AnalysisData.load(json: path, label: label, eigenvalueFolder: eigenvalues)
    case .checkpoint:
        if eigenvalues != nil {
            throw ValidationError("--eigenvalues goes with an analysis JSON; a checkpoint is analysed here, spectra included")
        }
        let checkpoint = try Checkpoint.open(path)
        let progress = Terminal.ProgressLine(prefix: URL(fileURLWithPath: path).lastPathComponent)
        defer { progress.finish() }
        data = try AnalysisData.analyze(checkpoint, label: label, options: analysis.options,
                                        order: try analysis.layerOrder(for: checkpoint), keepEigenvalues: keepEigenvalues,
                                        progress: { progress.update($0, $1, $2) })
    }
    var nonFinite = 0
    for layer in data.report.layers {
        if case let .nonFinite(count) = layer.status {
            Terminal.error("\(path): layer \(layer.name) has \(count) NaN/Inf weights; it was not analysed")
            nonFinite += 1
        }
    }
    return (data, nonFinite)
}

/// Prints gnuplot's warnings, one line each.
func reportWarnings(_ warnings: [String]) {
    for w in warnings { Terminal.error("gnuplot warning: \(w)") }
}

/// A name for an input in titles: its `stem`, or for `…/NAME/model/model.safetensors`
/// (a generic file in a generic folder) the first folder above with a specific name.
func inputLabel(_ path: String) -> String {
    var name = stem(path)
    var url = URL(fileURLWithPath: path).deletingLastPathComponent()
    let generic: Set<String> = ["model", "models", "weights", "checkpoint", "checkpoints", "runs", ""]
    while generic.contains(name.lowercased()), url.path != "/" {
        url = url.deletingLastPathComponent()
        name = url.lastPathComponent
    }
    return name.isEmpty ? stem(path) : name
}
