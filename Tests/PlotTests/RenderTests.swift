import Analyzer
import Foundation
import Testing
@testable import Plot

/// Rendering with the real gnuplot (installed by Scripts/setup): formats, sizes, parallel
/// processes, error attribution, a missing gnuplot.
@Suite struct RenderTests {
    static func gnuplot() throws -> String { try GnuplotLocator.find() }

    /// Every per-layer and model figure of the toy model, in PNG through 2 processes: files of
    /// the requested size, no gnuplot warnings.
    @Test func pngOfRequestedSize() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model()
        let settings = RenderSettings(format: .png, size: FigureSize(width: 500, height: 350), font: .default)
        let layers = try FigurePlanner.layerSelection(data, pattern: nil)
        let batches = FigurePlanner.modelBatches(data, kinds: FigureKind.allCases, choice: .fit, folder: dir.path, format: .png)
            + FigurePlanner.layerBatches(data, layers: layers, kinds: LayerFigures.kinds, folder: dir.path, format: .png)
        let outcome = try FigureRenderer(executable: try Self.gnuplot(), processes: 2, settings: settings).render(batches)
        #expect(outcome.files.count == 3 + 7 * 5)
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        for file in outcome.files {
            let size = try #require(pngSize(try Data(contentsOf: URL(fileURLWithPath: file))), "\(file) is not a PNG")
            let tall = file.hasSuffix(FigurePaths.model(.lambdaMaxDepth, .png))
            #expect(size.width == 500 && size.height == (tall ? 560 : 350), "\(file): \(size)")
        }
    }

    /// Degenerate layers (all-zero weights: no positive eigenvalue, no fit; a single distinct
    /// eigenvalue) and empty panels draw without gnuplot errors or warnings.
    @Test func degenerateLayersDrawCleanly() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = AnalysisOptions()
        options.threads = 1
        let tensors: [(name: String, shape: [Int], values: [Double])] = [
            ("zero.weight", [16, 16], [Double](repeating: 0, count: 256)),
            ("identity.weight", [16, 16], Fixtures.diagonal([Double](repeating: 1, count: 16))),
        ]
        let data = try AnalysisData.analyze(InMemorySource(label: "degenerate", tensors: tensors), label: "degenerate",
                                            options: options, keepEigenvalues: true)
        #expect(data.report.layers.allSatisfy { $0.ks?.result.fit == nil })
        let batches = FigurePlanner.layerBatches(data, layers: [0, 1], kinds: LayerFigures.kinds, folder: dir.path, format: .png)
            + FigurePlanner.modelBatches(data, kinds: FigureKind.allCases, choice: .fit, folder: dir.path, format: .png)
        let outcome = try FigureRenderer(executable: try Self.gnuplot(), processes: 2, settings: RenderSettings()).render(batches)
        #expect(outcome.files.count == 2 * 5 + 3)
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
    }

    /// SVG and PDF: the right file types, the SVG at the requested size.
    @Test func svgAndPdf() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model()
        for format in [ImageFormat.svg, .pdf] {
            let settings = RenderSettings(format: format, size: FigureSize(width: 4, height: 3, unit: .inches), font: FontSpec(face: "DejaVu Serif", points: 8))
            let batches = FigurePlanner.modelBatches(data, kinds: [.alphaDepth], choice: .hill, folder: dir.path, format: format)
            let outcome = try FigureRenderer(executable: try Self.gnuplot(), processes: 1, settings: settings).render(batches)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: try #require(outcome.files.first)))
            let head = String(decoding: bytes.prefix(600), as: UTF8.self)
            if format == .svg {
                #expect(head.contains("<svg") && head.contains("width=\"288\"") && head.contains("height=\"216\""), "\(head)")
            } else {
                #expect(head.hasPrefix("%PDF-"))
            }
        }
    }

    /// The training figures of a generated log render.
    @Test func trainingFiguresRender() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let batches = FigurePlanner.trainingBatches(Fixtures.trainingCurves(), kinds: FigureKind.allCases, title: "run", folder: dir.path, format: .png)
        let outcome = try FigureRenderer(executable: try Self.gnuplot(), processes: 2, settings: RenderSettings()).render(batches)
        #expect(outcome.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["train-loss.png", "train-metrics.png", "train-alpha.png", "train-lr.png"])
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
    }

    /// A gnuplot error fails the render with one line naming the figure that caused it,
    /// even when good figures came before it in the same process.
    @Test func errorsNameTheFigure() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = Figure(name: "good", panel: Panel(x: Axis("x"), y: Axis("y")))
        var broken = Panel(x: Axis("x"), y: Axis("y"))
        broken.series = [Series("bad", .function(expression: "no_such_function(x)", from: 0, to: 1), .lines(LineStyle(Style.black)))]
        let bad = Figure(name: "broken", panel: broken)
        let batch = FigureBatch(label: "b") {
            [PlannedFigure(good, path: dir.path + "/good.png"), PlannedFigure(bad, path: dir.path + "/broken.png")]
        }
        do {
            _ = try FigureRenderer(executable: try Self.gnuplot(), processes: 1, settings: RenderSettings()).render([batch])
            Issue.record("the broken figure rendered")
        } catch let error as PlotError {
            #expect(error == .gnuplotFailed(figure: dir.path + "/broken.png", message: "line 0: undefined function: no_such_function"), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    /// No gnuplot: one error with the install command, from the locator and from the process.
    @Test func missingGnuplot() throws {
        #expect(throws: PlotError.gnuplotMissing("gnuplot")) { try GnuplotLocator.find(environment: ["PATH": "/nonexistent:/also-not"]) }
        #expect(throws: PlotError.self) { try GnuplotLocator.find(environment: ["HTSR_GNUPLOT": "/nonexistent/gnuplot", "PATH": "/usr/bin"]) }
        #expect("\(PlotError.gnuplotMissing("gnuplot"))" == "gnuplot is not installed (htsr draws figures with it); install it with: sudo apt-get install --no-install-recommends gnuplot-nox")
        #expect(throws: PlotError.gnuplotMissing("/nonexistent/gnuplot")) {
            _ = try GnuplotProcess(executable: "/nonexistent/gnuplot", stderrPath: "/dev/null")
        }
    }

    /// A report of the toy model written in process: the files exist, every link resolves.
    @Test func reportInProcess() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model()
        let other = try Fixtures.model(label: "tuned", tailShift: 0.5)
        let out = dir.appendingPathComponent("report").path
        let options = PlotOptions(figureLayers: "query|key", settings: RenderSettings(size: FigureSize(width: 400, height: 300)), processes: 2)
        let outcome = try ReportBuilder.write(data, compare: other, options: options, gnuplot: try Self.gnuplot(), out: out)
        #expect(outcome.figures == 5 + 2 * 5)
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("<tr class=\"over-trained\">"))
        #expect(index.contains("href=\"layers/001_encoder.layer.0.attention.self.query.weight.html\""))
        #expect(!index.contains("href=\"layers/003_"))
        for page in ["index.html", "layers/001_encoder.layer.0.attention.self.query.weight.html"] {
            let html = try String(contentsOfFile: out + "/" + page, encoding: .utf8)
            let base = URL(fileURLWithPath: out + "/" + page).deletingLastPathComponent()
            for link in links(html) where !link.hasPrefix("#") {
                let target = base.appendingPathComponent(link.components(separatedBy: "#")[0].removingPercentEncoding!).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: target), "\(page): broken link \(link)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report"])
    }

    func links(_ html: String) -> [String] {
        let regex = try! Regex(#"(?:href|src)="([^"]*)""#)
        return html.matches(of: regex).compactMap { $0.output[1].substring.map(String.init) }
    }
}
