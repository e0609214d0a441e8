import Analyzer
import Foundation
import Testing
@testable import Plot

/// Keys never cover data: `KeyLayout` picks a free inside corner or goes outside, and the
/// rendered figures show it.
@Suite struct KeyPlacementTests {
    static let metrics = TextMetrics(FontSpec.default)
    static let geometry = PanelGeometry(width: 800, height: 560, metrics: metrics, titleLines: 1, hasColorBox: false, leftMargin: 60)

    func panel(_ xs: [Double], _ ys: [Double], key: KeyPlacement = .auto) -> Panel {
        var p = Panel(x: Axis("x", min: 0, max: 1), y: Axis("y", min: 0, max: 1))
        p.series = [Series("data", .columns([xs, ys]), .points(Style.blue, .circle, size: 1))]
        p.key = key
        return p
    }

    /// Points on the rising diagonal leave the top-left corner free, not the top-right one.
    @Test func freeCorner() {
        let t = (0...40).map { Double($0) / 40 }
        #expect(KeyLayout.resolve(panel(t, t), rows: 2, widestChars: 12, in: Self.geometry) == .inside(.topLeft))
        // Asked for the top right, which the falling diagonal leaves free.
        #expect(KeyLayout.resolve(panel(t, t.map { 1 - $0 }, key: .topRight), rows: 2, widestChars: 12, in: Self.geometry) == .inside(.topRight))
        // Asked for the top right, which the rising diagonal covers: another free corner.
        #expect(KeyLayout.resolve(panel(t, t, key: .topRight), rows: 2, widestChars: 12, in: Self.geometry) == .inside(.topLeft))
    }

    /// Data in every corner: the key goes outside the plot.
    @Test func noFreeCorner() {
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...20 { for j in 0...20 { xs.append(Double(i) / 20); ys.append(Double(j) / 20) } }
        let key = KeyLayout.resolve(panel(xs, ys), rows: 3, widestChars: 20, in: Self.geometry)
        switch key {
        case .right, .below: break
        default: Issue.record("a key over data: \(key)")
        }
        // A line across the whole top and bottom: no corner is free either.
        var p = panel([0, 1], [0.99, 0.99])
        p.series.append(Series("floor", .columns([[0, 1], [0.01, 0.01]]), .lines(LineStyle(Style.green))))
        #expect(KeyLayout.resolve(p, rows: 2, widestChars: 5, in: Self.geometry) != .inside(.topRight))
        if case .inside = KeyLayout.resolve(p, rows: 2, widestChars: 5, in: Self.geometry) { Issue.record("a key over a line") }
    }

    /// A function without a trace blocks its whole x range; with one, only the curve.
    @Test func functionsAndReferenceLines() {
        var p = Panel(x: Axis("x", min: 0, max: 10), y: Axis("y", min: 0, max: 10))
        p.series = [Series("f", .function(expression: "x", from: 0, to: 10), .lines(LineStyle(Style.black)))]
        if case .inside = KeyLayout.resolve(p, rows: 1, widestChars: 5, in: Self.geometry) { Issue.record("a key over an untraced function") }
        p.series[0].trace = [[0, 10], [0, 10]]
        #expect(KeyLayout.resolve(p, rows: 1, widestChars: 5, in: Self.geometry) == .inside(.topLeft))
        p.verticalLines = [ReferenceLine(1, Style.reference)]
        #expect(KeyLayout.resolve(p, rows: 1, widestChars: 5, in: Self.geometry) == .inside(.bottomRight))
    }

    /// The colours a panel draws data in (series, fits, reference lines; bars as drawn over white).
    static func dataColors(_ panel: Panel) -> [(Int, Int, Int)] {
        func rgb(_ c: Color, opacity: Double = 1) -> (Int, Int, Int) {
            let v = Int(c.hex.dropFirst(), radix: 16)!
            func mix(_ x: Int) -> Int { Int((Double(x) * opacity + 255 * (1 - opacity)).rounded()) }
            return (mix(v >> 16 & 0xFF), mix(v >> 8 & 0xFF), mix(v & 0xFF))
        }
        var colors: [(Int, Int, Int)] = []
        for s in panel.series {
            switch s.style {
            case let .lines(l), let .linesPoints(l, _, _), let .impulses(l), let .errorBars(l, _, _): colors.append(rgb(l.color))
            case let .points(c, _, _), let .intervals(c, _, _): colors.append(rgb(c))
            case let .boxes(fill, opacity): colors.append(rgb(fill, opacity: opacity))
            case .paletteBoxes, .band: break
            }
        }
        for l in panel.verticalLines + panel.horizontalLines { colors.append(rgb(l.style.color)) }
        return colors
    }

    /// Every figure of the toy model, a comparison and a training run, rendered by gnuplot in PNG
    /// at the default size and at the paper size: where a key is inside the plot, the same figure
    /// without a key differs from it only where it shows no data (no pixel there is within 24 of
    /// a data colour). Figures whose keys are outside are counted, not compared (their plot area
    /// differs).
    @Test func renderedKeysCoverNoData() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model(), other = try Fixtures.model(label: "tuned", tailShift: 0.5)
        var figures = try (0..<data.report.layers.count).compactMap { try data.spectrum($0) }.prefix(3)
            .flatMap { LayerFigures.figures($0, kinds: LayerFigures.kinds) }
        figures += [ModelFigures.alphaDepth(data.report, choice: .fit, title: "toy"), ModelFigures.alphaHistogram(data.report, choice: .hill, title: "toy"),
                    ModelFigures.lambdaMaxDepth(data.report, title: "toy"),
                    ModelFigures.compareScatter(data.report, other.report, nameA: "a", nameB: "b", choice: .ks),
                    ModelFigures.compareDelta(data.report, other.report, nameA: "a", nameB: "b", choice: .ks)]
        figures += TrainingFigures.figures(Fixtures.trainingCurves(), kinds: FigureKind.allCases, title: "run")
        let settings = [RenderSettings(), FigurePreset.paper.settings(format: .png)]
        var planned: [PlannedFigure] = []
        var checked: [(Figure, RenderSettings, String, String)] = []
        var outside = 0
        for (s, setting) in settings.enumerated() {
            for (i, f) in figures.enumerated() {
                let script = ScriptWriter.script(for: f, settings: setting, output: "/o").listing
                guard script.contains("set key inside") else {
                    if script.contains("set key below") || script.contains("set key outside") { outside += 1 }
                    continue
                }
                guard !script.contains("set key below"), !script.contains("set key outside") else { continue }
                var bare = f
                for p in bare.panels.indices { bare.panels[p].key = .none }
                let a = dir.appendingPathComponent("\(s)-\(i)-key.png").path, b = dir.appendingPathComponent("\(s)-\(i)-bare.png").path
                checked.append((f, setting, a, b))
                planned += [PlannedFigure(f, path: a), PlannedFigure(bare, path: b)]
            }
        }
        #expect(checked.count >= 6 && outside >= 6, "\(checked.count) inside, \(outside) outside")
        for (setting, group) in [settings[0], settings[1]].map({ s in (s, checked.filter { $0.1 == s }) }) {
            let items = planned.filter { p in group.contains { $0.2 == p.path || $0.3 == p.path } }
            let outcome = try FigureRenderer(executable: try RenderTests.gnuplot(), processes: 2, settings: setting)
                .render([FigureBatch(label: "keys") { items }])
            #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        }
        for (f, _, a, b) in checked {
            let withKey = try PNGPixels(file: a), bare = try PNGPixels(file: b)
            #expect(withKey.width == bare.width && withKey.height == bare.height)
            let colors = f.panels.flatMap(Self.dataColors)
            // The key's box: where its border (#D0D0D0) is drawn and the bare figure differs.
            // (Elsewhere the two differ only by the phase of the grid's dashes.)
            var box = (x0: Int.max, y0: Int.max, x1: -1, y1: -1)
            for y in 0..<bare.height {
                for x in 0..<bare.width where withKey[x, y] == (208, 208, 208) && bare[x, y] != (208, 208, 208) {
                    box = (min(box.x0, x), min(box.y0, y), max(box.x1, x), max(box.y1, y))
                }
            }
            #expect(box.x1 > box.x0 && box.y1 > box.y0, "\(f.name): no key box drawn")
            guard box.x1 > box.x0, box.y1 > box.y0 else { continue }
            var covered: [String] = []
            for y in box.y0...box.y1 {
                for x in box.x0...box.x1 where withKey[x, y] != bare[x, y] {
                    let p = bare[x, y]
                    if colors.contains(where: { max(abs($0.0 - p.0), abs($0.1 - p.1), abs($0.2 - p.2)) <= 24 }) { covered.append("(\(x),\(y))") }
                }
            }
            #expect(covered.isEmpty, "\(f.name): the key covers data at \(covered.prefix(5))")
        }
    }
}
