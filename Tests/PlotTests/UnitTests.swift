import Analyzer
import Checkpoint
import Foundation
import Spectrum
import Testing
@testable import Plot

@Suite struct HistogramTests {
    /// Σ density·width = 1 when every value is inside the edges (the definition of a density).
    @Test func densityIntegratesToOne() throws {
        let values = Fixtures.paretoQuantiles(alpha: 2.5, count: 500)
        for h in [try #require(Histogram.linear(values, bins: 17)), try #require(Histogram.logarithmic(values, bins: 23))] {
            #expect(h.counts.reduce(0, +) == 500)
            let area = (0..<h.binCount).reduce(0.0) { $0 + h.density($1) * (h.edges[$1 + 1] - h.edges[$1]) }
            #expect(abs(area - 1) < 1e-12)
        }
    }

    /// Log bins: equal ratios between edges, from the smallest to the largest positive value;
    /// zeros are left out of the log histogram and its normalisation.
    @Test func logarithmicEdges() throws {
        let h = try #require(Histogram.logarithmic([0, 0, 1, 10, 100, 1000], bins: 3))
        #expect(h.total == 4)
        #expect(h.edges.count == 4)
        #expect(zip(h.edges, [1, 10, 100, 1000]).allSatisfy { abs($0 - $1) / $1 < 1e-12 })
        #expect(h.counts == [1, 1, 2])
        #expect(Histogram.logarithmic([0, -1], bins: 3) == nil)
        // All-equal values: one bin around the value.
        let single = try #require(Histogram.logarithmic([5, 5, 5], bins: 1))
        #expect(single.edges[0] < 5 && single.edges[1] > 5 && single.counts == [3])
    }

    @Test func defaultBins() {
        #expect(Histogram.defaultBins(for: 4) == 10)
        #expect(Histogram.defaultBins(for: 384) == 20)
        #expect(Histogram.defaultBins(for: 1_000_000) == 80)
    }
}

@Suite struct MarchenkoPasturTests {
    /// With edges from σ² and Q (λ± = σ²(1 ± 1/√Q)²), the density is the textbook
    /// Q/(2πσ²λ)·√((λ+−λ)(λ−λ−)), and it integrates to 1. The integral is taken over θ with
    /// λ = λ− + (λ+−λ−)(1−cos θ)/2, which makes the integrand smooth (also for Q = 1, where
    /// ρ ~ λ^(−1/2) at 0), so the midpoint rule with 10⁴ cells is accurate to ~1e-8.
    @Test func textbookDensityAndNormalisation() throws {
        for (sigma2, q) in [(1.0, 1.0), (0.3, 4.0), (2.5, 1.7)] {
            let lm = sigma2 * pow(1 - 1 / q.squareRoot(), 2), lp = sigma2 * pow(1 + 1 / q.squareRoot(), 2)
            let mp = try #require(MarchenkoPastur(sigma2: sigma2, q: q, lambdaMinus: lm, lambdaPlus: lp))
            let x = (lm + lp) / 2
            let textbook = q / (2 * Double.pi * sigma2 * x) * ((lp - x) * (x - lm)).squareRoot()
            #expect(abs(mp.density(x) - textbook) / textbook < 1e-12)
            let n = 10_000
            let h = Double.pi / Double(n)
            let area = (0..<n).reduce(0.0) { sum, k in
                let theta = (Double(k) + 0.5) * h
                return sum + mp.density(lm + (lp - lm) * (1 - cos(theta)) / 2) * (lp - lm) / 2 * sin(theta) * h
            }
            #expect(abs(area - 1) < 1e-6, "σ² \(sigma2) Q \(q): area \(area)")
            #expect(mp.density(lp * 1.01) == 0 && mp.density(lm * 0.99) == 0)
        }
    }

    /// Read from a row only when all four columns are present and valid.
    @Test func fromRow() throws {
        var row = Row()
        row.set("Q", .double(2))
        #expect(MarchenkoPastur(row: row) == nil)
        row.set("sigma_mp", .double(0.8))
        row.set("bulk_min", .double(0.1))
        row.set("bulk_max", .double(3))
        #expect(MarchenkoPastur(row: row) == MarchenkoPastur(sigma2: 0.8, q: 2, lambdaMinus: 0.1, lambdaPlus: 3))
        row.set("bulk_max", .null)
        #expect(MarchenkoPastur(row: row) == nil)
        #expect(MarchenkoPastur(sigma2: 1, q: 1, lambdaMinus: 2, lambdaPlus: 1) == nil)
    }
}

@Suite struct AnalysisInputTests {
    /// An analysis JSON with Marchenko–Pastur columns on one layer (as a later analyzer writes
    /// them) and an eigenvalues folder: the spectra load, the overlay parameters come from the
    /// raw row, and the layer without the columns has none.
    @Test func marchenkoPasturColumnsFromJSON() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Fixtures.model()
        var json = try JSONSerialization.jsonObject(with: try data.report.jsonData()) as! [String: Any]
        var layers = json["layers"] as! [[String: Any]]
        layers[1]["sigma_mp"] = 0.5
        layers[1]["bulk_min"] = 0.25
        layers[1]["bulk_max"] = 3.0
        json["layers"] = layers
        let path = dir.appendingPathComponent("a.json").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let eig = dir.appendingPathComponent("eig")
        try FileManager.default.createDirectory(at: eig, withIntermediateDirectories: true)
        guard case let .memory(spectra) = data.eigenvalues else { Issue.record("no spectra"); return }
        for l in data.report.layers {
            try NpyWriter.data(spectra[l.id]!).write(to: eig.appendingPathComponent(EigenvalueFiles.fileName(id: l.id, name: l.name)))
        }
        let loaded = try AnalysisData.load(json: path, label: "a", eigenvalueFolder: eig.path)
        let one = try #require(try loaded.spectrum(1))
        #expect(one.marchenkoPastur == MarchenkoPastur(sigma2: 0.5, q: 1, lambdaMinus: 0.25, lambdaPlus: 3))
        #expect(one.eigenvalues == spectra[1])
        #expect(try loaded.spectrum(0)?.marchenkoPastur == nil)
        // A spectrum file of the wrong length belongs to another analysis.
        try NpyWriter.data([1, 2, 3]).write(to: eig.appendingPathComponent(EigenvalueFiles.fileName(id: 2, name: data.report.layers[2].name)))
        #expect(throws: PlotError.self) { try loaded.spectrum(2) }
    }
}

@Suite struct LayerRoleTests {
    @Test(arguments: [
        ("encoder.layer.0.attention.self.query.weight", LayerRole.query),
        ("encoder.layer.0.attention.self.key.weight", .key),
        ("encoder.layer.0.attention.self.value.weight", .value),
        ("encoder.layer.0.attention.output.dense.weight", .attentionOutput),
        ("encoder.layer.0.intermediate.dense.weight", .ffn),
        ("encoder.layer.0.output.dense.weight", .ffn),
        ("model.layers.3.self_attn.q_proj.weight", .query),
        ("model.layers.3.self_attn.o_proj.weight", .attentionOutput),
        ("model.layers.3.mlp.gate_proj.weight", .ffn),
        ("transformer.h.0.attn.c_attn.weight", .attentionFused),
        ("transformer.h.0.attn.c_proj.weight", .attentionOutput),
        ("transformer.h.0.mlp.c_proj.weight", .ffn),
        ("encoder.block.0.layer.0.SelfAttention.q.weight", .query),
        ("encoder.block.0.layer.0.SelfAttention.o.weight", .attentionOutput),
        ("encoder.block.0.layer.1.DenseReluDense.wi.weight", .ffn),
        ("pooler.dense.weight", .other),
        ("classifier.weight", .other),
    ])
    func linearNames(name: String, role: LayerRole) {
        #expect(LayerRole.infer(name: name, kind: .linear) == role)
    }

    @Test func kindsDecideFirst() {
        #expect(LayerRole.infer(name: "embeddings.word_embeddings.weight", kind: .embedding) == .embedding)
        #expect(LayerRole.infer(name: "features.0.weight", kind: .conv2d) == .conv)
        #expect(LayerRole.infer(name: "layers/conv1d/vars/0", kind: .conv1d) == .conv)
    }
}

@Suite struct ParsingTests {
    @Test func sizes() throws {
        #expect(FigureSize(parsing: "800x600") == FigureSize(width: 800, height: 600))
        let inches = try #require(FigureSize(parsing: "3.5x2.5in"))
        #expect(inches.pixelWidth == 252 && inches.pixelHeight == 180)
        let cm = try #require(FigureSize(parsing: "9x6cm"))
        #expect(abs(cm.inchWidth - 9 / 2.54) < 1e-12)
        for bad in ["800", "x600", "0x600", "800x-1", "12x12", "800.5x600", "axb", "800x600px"] {
            #expect(FigureSize(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func fonts() {
        #expect(FontSpec(parsing: "Times,9") == FontSpec(face: "Times", points: 9))
        #expect(FontSpec(parsing: "Helvetica") == FontSpec(face: "Helvetica", points: 11))
        #expect(FontSpec(parsing: ",14") == FontSpec(face: "DejaVu Sans", points: 14))
        #expect(FontSpec(parsing: "A,B,C") == nil)
        #expect(FontSpec(parsing: "Times,2") == nil)
        #expect(FontSpec(parsing: "it's,10") == nil)
    }

    @Test func figureLists() throws {
        #expect(try FigureKind.parseList("layer").get() == LayerFigures.kinds)
        #expect(try FigureKind.parseList("alpha-depth, esd-loglog,alpha-depth").get() == [.alphaDepth, .esdLogLog])
        #expect(try FigureKind.parseList("all").get() == FigureKind.allCases)
        guard case let .failure(e) = FigureKind.parseList("model,nope") else { Issue.record("accepted 'nope'"); return }
        #expect(e.description.hasPrefix("unknown figure 'nope'"))
    }

    /// Enhanced-text control characters are escaped; single quotes are doubled in gnuplot strings.
    @Test func escaping() {
        #expect(Markup.plain("a_b^c{d}@e&f~g\\h") == "a\\_b\\^c\\{d\\}\\@e\\&f\\~g\\\\h")
        #expect(quoted("it's") == "'it''s'")
        #expect(quoted("a\nb") == "'a b'")
        #expect(formatNumber(3) == "3")
        #expect(formatNumber(0.1) == "0.1")
        #expect(formatNumber(1e-5) == "1e-05")
        #expect(shortNumber(3.14159) == "3.14")
        #expect(shortNumber(0.000123) == "1.23e-04")
    }

    /// The binary clause comes from gnuplot-iostream and matches the block's shape.
    @Test func binaryFormatClause() {
        #expect(DataBlock(columns: [[1, 2, 3], [4, 5, 6]]).formatClause == "format='%double%double' record=(3)")
        let block = DataBlock(columns: [[1, 2], [3, 4], [5, 6]])
        #expect(block.formatClause == "format='%double%double%double' record=(2)")
        #expect(block.values == [1, 2, 3, 4, 5, 6])
    }
}

@Suite struct GnuplotMessageTests {
    /// Messages between markers belong to the figure after the previous marker; warnings
    /// (every line `warning:`) are kept apart from errors.
    @Test func attribution() {
        let text = """
            htsr-done 0
                     warning: Skipping data file with no valid points
            htsr-done 1

            gnuplot> plot foo(x)
                          ^
                     line 0: undefined function: foo

            """
        let r = GnuplotMessages.parse(text, figures: ["a.png", "b.png", "c.png"])
        #expect(r.finished == 2)
        #expect(r.warnings == [.init(figure: "b.png", message: "warning: Skipping data file with no valid points")])
        #expect(r.errors == [.init(figure: "c.png", message: "line 0: undefined function: foo")])
        #expect(GnuplotMessages.parse("htsr-done 0\n", figures: ["a.png"]) == .init(finished: 1, errors: [], warnings: []))
        // gnuplot 5.4 capitalises some warnings (a figure whose values are all equal).
        let equal = GnuplotMessages.parse("Warning: empty y range [7.6:7.6], adjusting to [7.5:7.7]\nhtsr-done 0\n", figures: ["a.png"])
        #expect(equal.errors.isEmpty && equal.warnings.count == 1)
    }
}

@Suite struct TrainingFigureTests {
    /// A run that is still going (no best value yet) and a regression run both draw all four figures.
    @Test func unfinishedAndRegression() throws {
        let curves = Fixtures.trainingCurves(intervals: 2, task: "regression", finished: false)
        #expect(curves.metricNames == ["test_nrmse", "test_rmse"])
        let figures = TrainingFigures.figures(curves, kinds: [.trainLoss, .trainMetrics, .trainAlpha, .trainLearningRate], title: "r")
        #expect(figures.map(\.name) == ["train-loss", "train-metrics", "train-alpha", "train-lr"])
    }

    /// The heatmap has one cell per (step, layer) with an α, spanning the step between
    /// neighbours; rows are the layers in depth order.
    @Test func heatmapCells() throws {
        let f = TrainingFigures.alphaHeatmap(Fixtures.trainingCurves(intervals: 3), title: "r")
        guard case let .columns(c) = f.panels[0].series[0].data else { Issue.record("no data"); return }
        #expect(c[0].count == 3 * 3 - 1)
        // Rows in forward order, each row's steps in order: fc1 at steps 100 and 200 first.
        #expect(Array(c[1].prefix(2)) == [0, 0] && Array(c[2].prefix(2)) == [50, 150] && Array(c[3].prefix(2)) == [152, 252])
        #expect(c[6].min() == 2.0 && c[6].max() == 4.2)
        #expect(f.panels[0].y.tics?.map(\.label) == ["fc1", "fc2", "fc3"])
        #expect(TrainingFigures.cellEdges([0, 10, 30]).map { [$0.0, $0.1] } == [[-5, 5], [5, 20], [20, 40]])
    }
}

@Suite struct EigenvalueFileTests {
    @Test func roundTripAndErrors() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values = Fixtures.paretoQuantiles(alpha: 3, count: 100)
        let path = dir.appendingPathComponent(EigenvalueFiles.fileName(id: 7, name: "a/b c.weight")).path
        #expect(path.hasSuffix("/007_a_b_c.weight.npy"))
        try NpyWriter.data(values).write(to: URL(fileURLWithPath: path))
        #expect(try EigenvalueFiles.read(path) == values)
        let bad = dir.appendingPathComponent("bad.npy").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: bad))
        #expect(throws: OutputError.self) { try EigenvalueFiles.read(bad) }
        var truncated = NpyWriter.data(values)
        truncated.removeLast(8)
        try truncated.write(to: URL(fileURLWithPath: bad))
        do { _ = try EigenvalueFiles.read(bad); Issue.record("accepted a truncated file") } catch {
            #expect("\(error)".contains("the header says 100 float64 values"))
        }
    }
}

@Suite struct StagedFolderTests {
    @Test func mergeKeepsOtherFilesAndReplacesSameNames() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: target + "/sub", withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: target + "/sub/a.txt"))
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target + "/keep.txt"))
        let staged = try StagedFolder(target: target, mode: .merge)
        try FileManager.default.createDirectory(atPath: staged.path("sub"), withIntermediateDirectories: true)
        try Data("new".utf8).write(to: URL(fileURLWithPath: staged.path("sub/a.txt")))
        try staged.commit()
        #expect(try String(contentsOfFile: target + "/sub/a.txt", encoding: .utf8) == "new")
        #expect(try String(contentsOfFile: target + "/keep.txt", encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    }

    /// A report replaces an earlier report, never an unrelated folder; a discarded staging
    /// folder leaves nothing.
    @Test func replaceOnlyReports() throws {
        let dir = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("report").path
        for round in 0..<2 {
            let staged = try StagedFolder(target: target, mode: .replaceReport)
            try Data("<html>\(StagedFolder.reportMark) \(round)".utf8).write(to: URL(fileURLWithPath: staged.path("index.html")))
            try staged.commit()
        }
        #expect(try String(contentsOfFile: target + "/index.html", encoding: .utf8).hasSuffix(" 1"))
        let other = dir.appendingPathComponent("notes").path
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: other + "/index.html"))
        #expect(throws: PlotError.self) { _ = try StagedFolder(target: other, mode: .replaceReport) }
        do {
            let staged = try StagedFolder(target: dir.appendingPathComponent("never").path, mode: .replaceReport)
            try Data("x".utf8).write(to: URL(fileURLWithPath: staged.path("index.html")))
            staged.discard()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["notes", "report"])
    }
}
