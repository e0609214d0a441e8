import Checkpoint
import Foundation
import Spectrum
import Testing
@testable import Analyzer

/// Tensors in a made-up checkpoint's stored (alphabetical) order, like a safetensors file.
private func alphabetical(_ tensors: [(name: String, shape: [Int], values: [Double])]) -> InMemorySource {
    InMemorySource(tensors: tensors.sorted { $0.name < $1.name })
}

private func bertLike(seed: UInt64 = 1) -> [(name: String, shape: [Int], values: [Double])] {
    var t: [(name: String, shape: [Int], values: [Double])] = [("embeddings.word_embeddings.weight", [40, 16], gaussian(count: 640, seed: seed))]
    for block in [0, 1, 2, 10] {
        for (k, module) in ["attention.self.query", "attention.output.dense", "intermediate.dense", "output.dense"].enumerated() {
            let s = seed &* 97 &+ UInt64(block * 10 + k)
            t.append(("encoder.layer.\(block).\(module).weight", [16, 16], gaussian(count: 256, seed: s)))
            t.append(("encoder.layer.\(block).\(module).bias", [16], gaussian(count: 16, seed: s &+ 1)))
        }
        t.append(("encoder.layer.\(block).output.LayerNorm.weight", [16], [Double](repeating: 1, count: 16)))
    }
    t.append(("pooler.dense.weight", [16, 16], gaussian(count: 256, seed: seed &+ 999)))
    return t
}

@Suite struct ForwardOrderInAnalysis {
    /// Rows and ids follow the family's forward order, not the stored order (which puts
    /// `encoder.layer.10` before `.2` and `attention.output` before `attention.self`).
    @Test func rowsAndIdsInForwardOrder() throws {
        let source = alphabetical(bertLike())
        let r = try Analyzer.analyze(source, options: options(), order: .family(.bert))
        let names = r.layers.map(\.name)
        #expect(names.first == "embeddings.word_embeddings.weight" && names.last == "pooler.dense.weight")
        #expect(names[1...4] == ["encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.output.dense.weight",
                                 "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.output.dense.weight"])
        #expect(names.firstIndex(of: "encoder.layer.2.output.dense.weight")! < names.firstIndex(of: "encoder.layer.10.attention.self.query.weight")!)
        #expect(r.layers.map(\.id) == Array(0..<r.layers.count))
        #expect(r.order?.method == .family && r.order?.family == .bert)
        #expect(r.order?.tensors.count == source.descriptors.count)
        // The natural fallback (no config): numbers as numbers, but no module order.
        let natural = try Analyzer.analyze(source, options: options(), order: .natural())
        #expect(natural.layers.map(\.name)[1] == "encoder.layer.0.attention.output.dense.weight")
        #expect(natural.order?.method == .natural)
    }

    /// `layer_id` is the layer's id in the whole model: the same under --layers, --min-evals,
    /// --no-embeddings and --max-n (on main it was the position among the selected layers).
    @Test func layerIdStableUnderSelection() throws {
        let source = alphabetical(bertLike())
        let all = try Analyzer.analyze(source, options: options(), order: .family(.bert))
        let ids = Dictionary(uniqueKeysWithValues: all.layers.map { ($0.name, $0.id) })
        let selections: [AnalysisOptions] = [
            options { $0.layers = #"encoder\.layer\.(2|10)\."# },
            options { $0.includeEmbeddings = false },
            options { $0.layers = "pooler" },
            options { $0.maxN = 30 },
        ]
        for o in selections {
            let some = try Analyzer.analyze(source, options: o, order: .family(.bert))
            #expect(!some.layers.isEmpty)
            for l in some.layers { #expect(l.id == ids[l.name], "\(l.name): \(l.id) vs \(ids[l.name]!)") }
        }
    }

    /// A source's own order is used when none is given (the trainer's in-memory weights).
    @Test func inMemoryKeepsItsOrder() throws {
        let t = [("fc10.weight", [16, 16], gaussian(count: 256, seed: 1)), ("fc2.weight", [16, 16], gaussian(count: 256, seed: 2))]
        let r = try Analyzer.analyze(InMemorySource(tensors: t), options: options())
        #expect(r.layers.map(\.name) == ["fc10.weight", "fc2.weight"])
        #expect(r.order?.method == .native)
    }
}

@Suite struct UnchangedLayers {
    /// With --base, a layer whose difference is zero is `unchanged`: not failed, not counted as
    /// failed, not averaged, no stable rank (null, not 0).
    @Test func zeroDeltaIsUnchanged() throws {
        let a = gaussian(count: 256, seed: 4), b = gaussian(count: 256, seed: 5)
        let base = InMemorySource(tensors: [("same.weight", [16, 16], a), ("moved.weight", [16, 16], a)])
        let model = InMemorySource(tensors: [("same.weight", [16, 16], a), ("moved.weight", [16, 16], zip(a, b).map { $0 + 0.1 * $1 })])
        let r = try Analyzer.analyze(try DeltaSource(model: model, base: base), options: options())
        let same = try #require(r.layers.first { $0.name == "same.weight" })
        let moved = try #require(r.layers.first { $0.name == "moved.weight" })
        #expect(same.status == .unchanged && moved.status == .ok)
        #expect(same.warning == .none)
        let row = same.row
        #expect(row["status"] == .string("unchanged"))
        #expect(row["stable_rank"] == .null && row["alpha"] == .null && row["fit_status"] == .string("unavailable"))
        #expect(row["norm"]?.doubleValue == 0)
        #expect(r.summary.unchanged == 1 && r.summary.failed == 0 && r.summary.fitted == 1)
        #expect(r.summary.means["stable_rank"] == moved.metrics?.stableRank)
        // It reads back as written.
        let back = try JSONDecoder().decode(AnalysisReport.self, from: try r.jsonData())
        #expect(back.layers.first { $0.name == "same.weight" }?.status == .unchanged && back.summary.unchanged == 1)
        #expect(ReportFormatter.table(r).contains("1 unchanged"))
    }

    /// A zero matrix in a plain checkpoint has no stable rank either (null, never averaged as 0).
    @Test func zeroMatrixHasNoStableRank() throws {
        let r = try Analyzer.analyze(InMemorySource(tensors: [("z.weight", [16, 16], [Double](repeating: 0, count: 256)),
                                                              ("w.weight", [16, 16], gaussian(count: 256, seed: 9))]),
                                     options: options())
        let z = try #require(r.layers.first { $0.name == "z.weight" })
        #expect(z.status == .ok && z.metrics?.stableRank == nil && z.row["stable_rank"] == .null)
        #expect(r.summary.means["stable_rank"] == r.layers.first { $0.name == "w.weight" }?.metrics?.stableRank)
    }
}

/// The conv2d scale on every path through the analyzer: a 1×1 kernel with out ≥ in is one
/// tall slice and streams; `--randomize` and `--farms` read it whole; `--no-pool` analyses
/// slices. Σλ must be conv_norm·‖W‖_F² on each (the streamed path used to drop the scale).
@Suite struct ConvScaleThroughTheAnalyzer {
    @Test func everyPathAgrees() throws {
        let oneByOne = gaussian(count: 64 * 64, seed: 11), threeByThree = gaussian(count: 32 * 16 * 9, seed: 12)
        let source = InMemorySource(tensors: [("pointwise.weight", [64, 64, 1, 1], oneByOne), ("conv.weight", [32, 16, 3, 3], threeByThree)])
        let frobenius = ["pointwise.weight": oneByOne.reduce(0) { $0 + $1 * $1 }, "conv.weight": threeByThree.reduce(0) { $0 + $1 * $1 }]
        let runs: [(String, AnalysisOptions)] = [
            ("default (streamed)", options()),
            ("--randomize (in memory)", options { $0.randomize = true }),
            ("--farms", options { $0.farms = FARMSSettings(rows: 64, q: 1, ops: 1) }),
        ]
        var lambdaMax: [String: Double] = [:]
        for (label, o) in runs {
            let r = try Analyzer.analyze(source, options: o)
            for l in r.layers {
                let norm = try #require(l.metrics?.norm)
                #expect(rel(norm, 0.5 * frobenius[l.name]!) < 1e-12, "\(label): \(l.name) Σλ \(norm)")
                if let seen = lambdaMax[l.name] { #expect(rel(l.metrics?.lambdaMax, seen) < 1e-12, "\(label): \(l.name)") }
                lambdaMax[l.name] = l.metrics?.lambdaMax
            }
            if o.farms != nil {
                // One 64×64 window is the whole 1×1 kernel: FARMS's Hill α is the layer's.
                let p = try #require(r.layers.first { $0.name == "pointwise.weight" })
                #expect(rel(p.farms?.hillAlpha, p.hill!.alpha!) < 1e-10)
            }
        }
        // --no-pool: the 3×3 kernel's nine slices sum to the pooled Σλ.
        let slices = try Analyzer.analyze(source, options: options { $0.pool = false })
        let sliceSum = slices.layers.filter { $0.name.hasPrefix("conv.weight:") }.compactMap { $0.metrics?.norm }.reduce(0, +)
        #expect(slices.layers.filter { $0.name.hasPrefix("conv.weight:") }.count == 9)
        #expect(rel(sliceSum, 0.5 * frobenius["conv.weight"]!) < 1e-12)
    }
}
