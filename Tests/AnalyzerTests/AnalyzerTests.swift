import Checkpoint
import Foundation
import Random
import Settings
import Testing
import PowerLaw
import Spectrum
@testable import Analyzer

func specSinMatrix(rows: Int = 64, cols: Int = 128) -> [Double] {
    var w = [Double](repeating: 0, count: rows * cols)
    for i in 0..<rows { for j in 0..<cols {
        w[i * cols + j] = sin(0.37 * Double(i * j) + 0.11 * Double(i) + 0.07 * Double(j))
    } }
    return w
}

func specConvKernel() -> [Double] {
    var k = [Double](repeating: 0, count: 32 * 16 * 9)
    for o in 0..<32 { for c in 0..<16 { for a in 0..<3 { for b in 0..<3 {
        let v = 0.37 * Double(o * c) + 0.11 * Double((a + 1) * o) + 0.07 * Double((b + 1) * c) + 0.05 * Double(a * b)
        k[((o * 16 + c) * 3 + a) * 3 + b] = sin(v)
    } } } }
    return k
}

func rel(_ a: Double?, _ b: Double) -> Double { guard let a else { return .infinity }; return abs(a - b) / abs(b) }

/// Box–Muller Gaussians from a seeded SplitMix64.
func gaussian(count: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    func u() -> Double { (Double(g.next() >> 11) + 0.5) / Double(1 << 53) }
    return (0..<count).map { _ in (-2 * log(u())).squareRoot() * cos(2 * .pi * u()) }
}

func options(_ configure: (inout AnalysisOptions) -> Void = { _ in }) -> AnalysisOptions {
    var o = AnalysisOptions()
    configure(&o)
    return o
}

@Suite struct SpecCheckValues {
    let source = InMemorySource(tensors: [
        ("sin.weight", [64, 128], specSinMatrix()),
        ("conv.weight", [32, 16, 3, 3], specConvKernel()),
    ])

    @Test func sinMatrixTopHalfAndKS() throws {
        let r = try Analyzer.analyze(source, options: options())
        let l = r.layers[0]
        #expect(l.name == "sin.weight" && l.numEvals == 64)
        #expect(abs(l.metrics!.lambdaMax - 146.144938) < 5e-7)
        #expect(abs(l.metrics!.norm - 4105.679917) < 5e-7)
        #expect(rel(l.hill?.alpha, 2.857717956106827) < 1e-11)
        #expect(rel(l.hill?.result.fit?.D, 0.5018720848594899) < 1e-11)
        // The KS scan picks i = 42 (the same point as xmin_mid with xmin_pos 1.5).
        #expect(l.ks?.result.fit?.xminIndex == 42)
        #expect(rel(l.ks?.alpha, 11.757228020163637) < 1e-11)
    }

    @Test func sinMatrixTopThird() throws {
        let r = try Analyzer.analyze(source, options: options { $0.xminPos = 1.5 })
        #expect(rel(r.layers[0].hill?.alpha, 11.757228020163637) < 1e-11)
        #expect(rel(r.layers[0].hill?.result.fit?.D, 0.17253156668283298) < 1e-11)
    }

    @Test func convKernel() throws {
        let r = try Analyzer.analyze(source, options: options())
        let l = r.layers[1]
        #expect(l.kind == .conv2d && l.numEvals == 144 && l.matrices.sliceCount == 9)
        #expect(abs(l.metrics!.lambdaMax - 15.284094) < 5e-7)
        #expect(abs(l.metrics!.norm - 1152.163550) < 5e-7)
        #expect(rel(l.hill?.alpha, 3.7866404014322343) < 1e-11)
        #expect(rel(l.hill?.result.fit?.D, 0.22490054771168333) < 1e-11)
    }

    /// The spec: an i.i.d. Gaussian 768 × 3072 matrix gives α ≈ 3.45 (xmin_pos 2) and ≈ 4.63
    /// (xmin_pos 1.5). The MP law fixes these in the large-matrix limit; at this size the
    /// sample-to-sample spread of α is below 0.05, so ±0.1 fails any wrong estimator.
    @Test func gaussianMatrix() throws {
        let src = InMemorySource(tensors: [("g", [768, 3072], gaussian(count: 768 * 3072, seed: 1))])
        let half = try Analyzer.analyze(src, options: options())
        let third = try Analyzer.analyze(src, options: options { $0.xminPos = 1.5 })
        #expect(abs(half.layers[0].hill!.alpha! - 3.45) < 0.1)
        #expect(abs(third.layers[0].hill!.alpha! - 4.63) < 0.1)
    }
}

@Suite struct PipelineTests {
    @Test func skipsAndSelection() throws {
        let src = InMemorySource(tensors: [
            ("embeddings.word_embeddings.weight", [50, 16], gaussian(count: 800, seed: 2)),
            ("layer.0.dense.weight", [32, 16], gaussian(count: 512, seed: 3)),
            ("layer.0.dense.bias", [32], gaussian(count: 32, seed: 4)),
            ("layer.1.dense.weight", [4, 4], gaussian(count: 16, seed: 5)),
        ])
        let all = try Analyzer.analyze(src, options: options())
        #expect(all.layers.map(\.name) == ["embeddings.word_embeddings.weight", "layer.0.dense.weight"])
        #expect(all.layers.map(\.id) == [0, 1])
        #expect(all.skipped.map(\.reason) == ["rank < 2 (bias or norm)", "4 eigenvalues, outside [8, 15000]"])
        let noEmb = try Analyzer.analyze(src, options: options { $0.includeEmbeddings = false })
        #expect(noEmb.layers.map(\.name) == ["layer.0.dense.weight"])
        let filtered = try Analyzer.analyze(src, options: options { $0.layers = #"layer\.\d+\.dense\.weight"# ; $0.minEvals = 2 })
        #expect(filtered.layers.map(\.name) == ["layer.0.dense.weight", "layer.1.dense.weight"])
    }

    @Test func nonFiniteLayerIsMarkedAndOthersAnalysed() throws {
        var bad = gaussian(count: 512, seed: 6)
        bad[7] = .nan
        bad[9] = .infinity
        let src = InMemorySource(tensors: [("a.weight", [32, 16], bad), ("b.weight", [32, 16], gaussian(count: 512, seed: 7))])
        let r = try Analyzer.analyze(src, options: options())
        #expect(r.layers[0].status == .nonFinite(count: 2))
        #expect(r.layers[0].warning == .failed && r.layers[0].metrics == nil)
        #expect(r.layers[1].status == .ok && r.layers[1].ks?.alpha != nil)
        #expect(r.summary.nonFinite == 1 && r.summary.failed == 1 && r.summary.fitted == 1)
        // The summary averages the one successful layer only.
        #expect(r.summary.means["ks_alpha"] == r.layers[1].ks?.alpha)
    }

    @Test func failedFitsAreNotOverTrainedAndNotAveraged() throws {
        // A scaled orthogonal matrix: all eigenvalues equal, so every fit fails.
        let n = 16
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n { w[i * n + i] = 2 }
        let src = InMemorySource(tensors: [("flat.weight", [n, n], w), ("g.weight", [64, 32], gaussian(count: 2048, seed: 8))])
        let r = try Analyzer.analyze(src, options: options())
        #expect(r.layers[0].hill?.result.failure == .degenerateTail)
        #expect(r.layers[0].warning == .failed)
        #expect(r.summary.overTrained == r.layers.filter { $0.warning == .overTrained }.count)
        #expect(r.summary.means["alpha"] == r.layers[1].fit?.alpha)
    }

    @Test func parallelEqualsSerial() throws {
        let src = InMemorySource(tensors: (0..<7).map { ("l\($0).weight", [40 + $0, 24], gaussian(count: (40 + $0) * 24, seed: UInt64($0))) })
        let one = try Analyzer.analyze(src, options: options { $0.threads = 1 })
        let two = try Analyzer.analyze(src, options: options { $0.threads = 2 })
        #expect(one.layers == two.layers)
    }

    @Test func jsonRoundTrip() throws {
        let src = InMemorySource(tensors: [("sin.weight", [64, 128], specSinMatrix()), ("bad.weight", [8, 8], [Double](repeating: .nan, count: 64))])
        let r = try Analyzer.analyze(src, options: options { $0.fit = .hill })
        let data = try r.jsonData()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-roundtrip-\(getpid()).json").path
        try AtomicFile.write(data, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let back = try AnalysisReport.load(path)
        #expect(back.layers[0].row == r.layers[0].row)
        #expect(back.layers[1].status.code == "non_finite")
        #expect(back.options == r.options && back.summary == r.summary)
        #expect(back.layers[0].value(ofColumn: "PL_Alpha_Hill") == r.layers[0].hill?.alpha)
        // Strict JSON (no NaN literals: Foundation's parser rejects them) with WeightWatcher's names.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let layer = try #require((object["layers"] as? [[String: Any]])?.first)
        #expect(layer["alpha_weighted"] != nil && layer["log_spectral_norm"] != nil && layer["stable_rank"] != nil)
        #expect((object["options"] as? [String: Any])?["xmin_pos"] as? Double == 2)
    }

    @Test func analysisFileErrors() throws {
        let dir = FileManager.default.temporaryDirectory.path
        let wrongVersion = dir + "/htsr-v99-\(getpid()).json"
        try AtomicFile.write(#"{"format": "htsr-analysis", "version": 99}"#, to: wrongVersion)
        defer { try? FileManager.default.removeItem(atPath: wrongVersion) }
        #expect(throws: AnalysisError.self) { try AnalysisReport.load(wrongVersion) }
        do { _ = try AnalysisReport.load(wrongVersion) } catch { #expect("\(error)".contains("version 99")) }
        do { _ = try AnalysisReport.load(dir + "/does-not-exist.json") } catch { #expect("\(error)".contains("does-not-exist.json")) }
    }

    @Test func invalidOptions() {
        #expect(throws: InvalidSetting.self) { try options { $0.xminPos = 0.5 }.validate() }
        #expect(throws: InvalidSetting.self) { try options { $0.layers = "(" }.validate() }
        #expect(throws: InvalidSetting(field: "max_evals", value: "10", requirement: "at least min_evals (100)", related: ["min_evals"])) {
            try options { $0.minEvals = 100; $0.maxEvals = 10 }.validate()
        }
        // NaN, ±∞ and values beyond the documented range, in the library's own names.
        #expect(throws: InvalidSetting(field: "xmin_pos", value: "nan", requirement: "a finite number in [1, 1000000]")) {
            try options { $0.xminPos = .nan }.validate()
        }
        #expect(throws: InvalidSetting.self) { try options { $0.convNorm = .infinity }.validate() }
        #expect(throws: InvalidSetting.self) { try options { $0.threads = 1 << 40 }.validate() }
        #expect(throws: InvalidSetting.self) { try options { $0.farms = FARMSSettings(rows: 8, q: 1e308, ops: 2) }.validate() }
    }

    @Test func csvAndTable() throws {
        let src = InMemorySource(tensors: [("a,b.weight", [64, 128], specSinMatrix())])
        let r = try Analyzer.analyze(src, options: options())
        let csv = ReportFormatter.csv(r).split(separator: "\n")
        #expect(csv.count == 2)
        #expect(csv[0].hasPrefix("layer_id,name,kind,shape"))
        #expect(csv[1].hasPrefix("0,\"a,b.weight\",linear,64x128,"))
        let table = ReportFormatter.table(r)
        #expect(table.contains("a,b.weight") && table.contains("1 layers"))
    }

    @Test func npyHeader() {
        let d = NpyWriter.data([1, 2, 3])
        #expect(d.count % 64 == 24 % 64 || (d.count - 24) % 64 == 0)
        #expect(Array(d.prefix(6)) == [0x93] + Array("NUMPY".utf8))
        #expect((d.count - 24) % 64 == 0)
    }
}
