import Analyzer
import Foundation
import Testing
@testable import Plot

/// The generated gnuplot scripts, compared with the snapshots in fixtures/snapshots/plot/
/// (re-record deliberately with
/// `HTSR_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests`). Inputs are exact (diagonal
/// matrices with Pareto-quantile spectra), so the numbers in the scripts are machine-independent.
@Suite struct SnapshotTests {
    static let settings = RenderSettings(format: .png, size: FigureSize(width: 640, height: 480), font: FontSpec(face: "DejaVu Sans", points: 10))

    func listing(_ figure: Figure, _ settings: RenderSettings = SnapshotTests.settings) -> String {
        ScriptWriter.script(for: figure, settings: settings, output: "/out/\(figure.name).\(settings.format.fileExtension)").listing
    }

    @Test func perLayerFigures() throws {
        let data = try Fixtures.model()
        let spectrum = try #require(try data.spectrum(1))
        let figures = LayerFigures.figures(spectrum, kinds: LayerFigures.kinds)
        #expect(figures.map(\.name) == LayerFigures.kinds.map(\.rawValue))
        for f in figures {
            let problem = Snapshot.check(listing(f), named: "layer-\(f.name).gp")
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    @Test func modelFigures() throws {
        let data = try Fixtures.model()
        let figures = [ModelFigures.alphaDepth(data.report, choice: .fit, title: "toy"),
                       ModelFigures.alphaHistogram(data.report, choice: .hill, title: "toy"),
                       ModelFigures.lambdaMaxDepth(data.report, title: "toy")]
        for f in figures {
            let problem = Snapshot.check(listing(f), named: "model-\(f.name).gp")
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    @Test func comparisonFigures() throws {
        let a = try Fixtures.model(label: "base"), b = try Fixtures.model(label: "tuned", tailShift: 0.5)
        for f in [ModelFigures.compareScatter(a.report, b.report, nameA: "base", nameB: "tuned", choice: .ks),
                  ModelFigures.compareDelta(a.report, b.report, nameA: "base", nameB: "tuned", choice: .ks)] {
            let problem = Snapshot.check(listing(f), named: "compare-\(f.name).gp")
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    @Test func trainingFigures() throws {
        let figures = TrainingFigures.figures(Fixtures.trainingCurves(), kinds: FigureKind.allCases.filter { $0.group == .training }, title: "run1")
        #expect(figures.map(\.name) == ["train-loss", "train-metrics", "train-alpha", "train-lr"])
        for f in figures {
            let problem = Snapshot.check(listing(f), named: "training-\(f.name).gp")
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    /// The error-bar style (an experiment's comparison figure): x, y, ylow, yhigh per point,
    /// on a log x axis with a tic at every data ratio.
    @Test func errorBars() throws {
        var panel = Panel(title: "baseline vs TempBalance",
                          x: Axis("training data (% of the pool)", scale: .log, min: 0.7, max: 140, tics: [Tic("1", 1), Tic("10", 10), Tic("100", 100)]),
                          y: Axis("test accuracy (%)"))
        panel.series = [
            Series("baseline", .columns([[0.97, 9.7, 97], [70, 80, 90], [69, 79.5, 89.75], [71, 80.5, 90.25]]),
                   .errorBars(LineStyle(Style.seriesColor(0)), .circle, size: 0.9)),
            Series("TempBalance", .columns([[1.03, 103], [71, 91], [70, 90.5], [72, 91.5]]),
                   .errorBars(LineStyle(Style.seriesColor(1)), .square, size: 0.9)),
        ]
        panel.key = .bottomRight
        let problem = Snapshot.check(listing(Figure(name: "comparison", panel: panel)), named: "errorbars-comparison.gp")
        #expect(problem == nil, "\(problem ?? "")")
    }

    /// The Marchenko–Pastur overlay appears on the linear ESD when the row has its columns.
    @Test func marchenkoPasturOverlay() throws {
        let data = try Fixtures.model()
        var spectrum = try #require(try data.spectrum(2))
        spectrum.marchenkoPastur = MarchenkoPastur(sigma2: 0.5, q: 1, lambdaMinus: 0, lambdaPlus: 2)
        let f = LayerFigures.esdLinear(spectrum)
        let problem = Snapshot.check(listing(f), named: "layer-esd-linear-mp.gp")
        #expect(problem == nil, "\(problem ?? "")")
    }

    /// Only the terminal line changes with the format, size and font.
    @Test func terminals() throws {
        let f = Figure(name: "t", panel: Panel(x: Axis("x"), y: Axis("y")))
        let lines = [
            RenderSettings(format: .png, size: FigureSize(width: 800, height: 560), font: .default),
            RenderSettings(format: .svg, size: FigureSize(width: 3.5, height: 2.5, unit: .inches), font: FontSpec(face: "Times", points: 8)),
            RenderSettings(format: .pdf, size: FigureSize(width: 9, height: 6, unit: .centimetres), font: .default),
        ].map { ScriptWriter.script(for: f, settings: $0, output: "/o").listing.split(separator: "\n")[1] }
        #expect(lines[0] == "set terminal pngcairo size 800,560 enhanced font 'DejaVu Sans,11' background rgb 'white' linewidth 1 rounded")
        // svg and pdfcairo at fontscale 1 (pdfcairo halves fonts otherwise); pdfcairo's line
        // width unit is half a point, so 2; lines scale with the font (8 / 11 pt → 0.73).
        #expect(lines[1] == "set terminal svg size 252,180 enhanced font 'Times,8' fontscale 1 background rgb 'white' linewidth 0.73 rounded")
        #expect(lines[2] == "set terminal pdfcairo size 3.543in,2.362in enhanced font 'DejaVu Sans,11' fontscale 1 background rgb 'white' linewidth 2 rounded")
    }
}
