import Analyzer
import Foundation
import Testing
@testable import Plot

/// The paper preset, overlaid training runs, one naming style, the report's α columns.
@Suite struct PaperFigureTests {
    /// The preset: 3.5 × 2.6 in, DejaVu Serif 8 pt, no titles; PNG at 300 dots per inch with the
    /// font enlarged alike; a given size or font replaces the preset's.
    @Test func presetSettings() {
        let pdf = FigurePreset.paper.settings(format: .pdf)
        #expect(pdf.size == FigureSize(width: 3.5, height: 2.6, unit: .inches) && pdf.font == FontSpec(face: "DejaVu Serif", points: 8) && !pdf.titles)
        let png = FigurePreset.paper.settings(format: .png)
        #expect(png.size.pixelWidth == 1050 && png.size.pixelHeight == 780 && abs(png.font.points - 8 * 300 / 72) < 1e-9)
        let own = FigurePreset.paper.settings(format: .svg, size: FigureSize(width: 7, height: 3, unit: .inches), font: FontSpec(face: "Times", points: 9))
        #expect(own.size.pixelWidth == 504 && own.font.face == "Times" && !own.titles)
    }

    /// A paper figure's script: the print terminal at fontscale 1, no title line, lines and
    /// points scaled with the 8-point font.
    @Test func presetScript() throws {
        let data = try Fixtures.model()
        let f = ModelFigures.alphaDepth(data.report, choice: .fit, title: "toy")
        let pdf = ScriptWriter.script(for: f, settings: FigurePreset.paper.settings(format: .pdf), output: "/o.pdf").listing
        #expect(pdf.contains("set terminal pdfcairo size 3.500in,2.600in enhanced font 'DejaVu Serif,8' fontscale 1 background rgb 'white' linewidth 1.45 rounded"))
        #expect(!pdf.contains("set title"))
        #expect(pdf.contains("ps 0.95 "), "points scaled by 8/11")
        let screen = ScriptWriter.script(for: f, settings: RenderSettings(), output: "/o.png").listing
        #expect(screen.contains("set title 'toy: α by depth'") && screen.contains("ps 1.3 "))
    }

    /// Rendered with the preset through the one gnuplot pipeline: an SVG of 252 × 187 units in
    /// DejaVu Serif 8 with no title text, a PDF page of 252 × 187 points, a 1050 × 780 PNG.
    @Test func presetRenders() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model()
        for format in [ImageFormat.svg, .pdf, .png] {
            let batches = FigurePlanner.modelBatches(data, kinds: [.alphaDepth], choice: .fit, folder: dir.path + "/\(format.fileExtension)", format: format)
                + FigurePlanner.layerBatches(data, layers: [1], kinds: [.esdLogLog], folder: dir.path + "/\(format.fileExtension)", format: format)
            try FileManager.default.createDirectory(atPath: dir.path + "/\(format.fileExtension)", withIntermediateDirectories: true)
            let outcome = try FigureRenderer(executable: try RenderTests.gnuplot(), processes: 2, settings: FigurePreset.paper.settings(format: format)).render(batches)
            #expect(outcome.files.count == 2 && outcome.warnings.isEmpty, "\(outcome.warnings)")
            for file in outcome.files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                switch format {
                case .svg:
                    let svg = String(decoding: bytes, as: UTF8.self)
                    #expect(svg.contains("width=\"252\" height=\"187\""), "\(file)")
                    let fonts = Set(svg.matches(of: try Regex(#"font-family="([^"]*)" font-size="([^"]*)""#)).map { "\($0.output[1].substring ?? "") \($0.output[2].substring ?? "")" })
                    #expect(fonts == ["DejaVu Serif 8.00"], "\(file): \(fonts)")
                    #expect(!svg.contains("α by depth") && !svg.contains("ESD:"), "\(file) has a title")
                case .pdf:
                    #expect(String(decoding: bytes, as: UTF8.self).contains("/MediaBox [ 0 0 252 187 ]"), "\(file)")
                case .png:
                    let png = try PNGPixels(file: file)
                    #expect(png.width == 1050 && png.height == 780, "\(file)")
                }
            }
        }
    }

    /// Two runs of TempBalance with a global rate decaying over four decades and multipliers
    /// 0.5 and 1.5: the overlaid figures.
    static func groups() -> [TrainingRunGroup] {
        func run(_ shift: Double, policy: String, multipliers: [Double]) -> TrainingCurves {
            let steps = [100, 200, 300, 400]
            let eta = steps.indices.map { 1e-2 * pow(10, -Double($0) * 4 / 3) }
            let layers = ["fc1", "fc2"].enumerated().map { j, name in
                TrainingCurves.Layer(name: name, alpha: steps.map { _ in 2.5 + Double(j) + shift },
                                     learningRate: eta.map { $0 * multipliers[j] }, multiplier: steps.map { _ in multipliers[j] })
            }
            return TrainingCurves(model: "mlp", data: "digits", policy: policy, steps: steps, trainLoss: steps.map { 1 / Double($0) + shift / 100 },
                                  learningRate: eta, metrics: [.init("test_acc", steps.map { 0.5 + Double($0) / 1000 + shift })],
                                  layers: layers, best: nil)
        }
        return [TrainingRunGroup(name: "base", runs: [run(0, policy: "none", multipliers: [1, 1]), run(0.02, policy: "none", multipliers: [1, 1])]),
                TrainingRunGroup(name: "tb", runs: [run(0.01, policy: "tempbalance", multipliers: [0.5, 1.5]),
                                                    run(0.03, policy: "tempbalance", multipliers: [0.5, 1.5])])]
    }

    /// Several runs overlaid: one colour per group, its seeds as a mean line and a min–max band,
    /// one key entry for the bands; groups named in the key.
    @Test func overlaidLoss() {
        let f = TrainingFigures.loss(Self.groups(), title: "base vs tb")
        let p = f.panels[0]
        let bands = p.series.filter { if case .band = $0.style { return true } else { return false } }
        let lines = p.series.filter { if case .lines = $0.style { return true } else { return false } }
        #expect(bands.count == 2 && lines.count == 2, "\(p.series.map(\.title))")
        #expect(lines.map(\.title) == ["base", "tb"])
        guard case let .lines(a) = lines[0].style, case let .lines(b) = lines[1].style else { return }
        #expect(a.color != b.color)
        // The band spans the two seeds: 1/100 and 1/100 + 0.02 at the first step.
        if case let .columns(c) = bands[0].data { #expect(c[1][0] == 0.01 && abs(c[2][0] - 0.0102) < 1e-12) }
        #expect(p.keyEntries.contains { $0.title.contains("min–max") })
        #expect(p.title?.contains("2 runs each") == true)
    }

    /// η on a linear axis; each group whose multipliers are not all 1 gets a panel of them on a
    /// linear axis around 1 (the baseline's uniform 1 is said in the title, not drawn).
    @Test func multipliersOnALinearAxis() {
        let f = TrainingFigures.learningRates(Self.groups(), title: "base vs tb")
        #expect(f.panels.count == 2)
        #expect(f.panels.allSatisfy { $0.y.scale == .linear })
        #expect(f.panels[0].title?.contains("every multiplier 1: base") == true)
        let m = f.panels[1]
        #expect(m.y.label == "tb: multiplier (layer rate / η)")
        #expect(m.series.count == 2 && m.y.min! < 0.5 && m.y.max! > 1.5 && m.y.max! < 2)
        // One run's log without logged multipliers: they come from the rates.
        var run = Self.groups()[1].runs[0]
        for i in run.layers.indices { run.layers[i].multiplier = [] }
        #expect(run.multipliers(of: "fc1").map { $0! } .allSatisfy { abs($0 - 0.5) < 1e-12 })
        #expect(TrainingFigures.learningRates(run, title: "tb").panels.count == 2)
    }

    /// Without titles (the paper preset) the groups of stacked panels are named in the y labels,
    /// shortened to fit: `tb: layer (forward order)` → `tb: layer` → `tb`.
    @Test func groupsNamedWithoutTitles() {
        let f = TrainingFigures.alphaHeatmap(Self.groups(), title: "x")
        #expect(f.panels.map(\.y.label) == ["base: layer (forward order)", "tb: layer (forward order)"])
        let script = ScriptWriter.script(for: f, settings: FigurePreset.paper.settings(format: .pdf), output: "/o").listing
        #expect(script.contains("set ylabel 'base: layer") && script.contains("set ylabel 'tb: layer") && !script.contains("\nset title"))
        let m = TextMetrics(FontSpec(face: "DejaVu Serif", points: 8))
        #expect(ScriptWriter.fitting("TempBalance: layer (forward order)", length: 120, m) == "TempBalance: layer")
        #expect(ScriptWriter.fitting("TempBalance: layer (forward order)", length: 100, m) == "TempBalance")
        #expect(ScriptWriter.fitting("layer (forward order)", length: 1000, m) == "layer (forward order)")
        #expect(ScriptWriter.fitting("η (learning rate)", length: 40, m) == "η")
    }

    /// One naming style for every logged name in keys and axes.
    @Test func names() {
        #expect(TrainingFigures.label("train_loss") == "train loss")
        #expect(TrainingFigures.label("test_loss") == "test loss")
        #expect(TrainingFigures.label("val_nrmse") == "validation nRMSE")
        #expect(TrainingFigures.label("test_acc") == "test accuracy")
        let f = TrainingFigures.loss(Fixtures.trainingCurves(), title: "run")
        #expect(f.panels[0].series.compactMap(\.title) == ["train loss", "test loss"])
        let m = TrainingFigures.metrics(Fixtures.trainingCurves(), title: "run")
        #expect(m.panels[0].y.label == "accuracy")
    }

    /// The report's α columns: Hill and KS once each, the fitted one marked, no duplicate
    /// `α (ks)` beside `α KS`; a TPL fit gets its own column.
    @Test func reportAlphaColumns() throws {
        #expect(ReportPages.alphaColumns(.ks).map(\.header) == ["α Hill", "α KS (fit)"])
        #expect(ReportPages.alphaColumns(.hill).map(\.header) == ["α Hill (fit)", "α KS"])
        let data = try Fixtures.model()
        let contents = ReportContents(layerPages: [], layerKinds: [], modelKinds: [], format: .png, comparedWith: nil, noLayerPagesReason: nil)
        let md = ReportMarkdown.summary(data, contents)
        let header = try #require(md.split(separator: "\n").first { $0.hasPrefix("| id |") })
        #expect(header == "| id | layer | kind | λmax | α Hill | α KS (fit) | D KS | stable rank | warning |")
        let html = ReportPages.index(data, contents)
        #expect(!html.contains("α (ks)") && html.components(separatedBy: "<th>α KS (fit)</th>").count == 2)
        #expect(md.contains("- Mean α Hill: ") && md.contains("; α KS (fit): "))
    }
}
