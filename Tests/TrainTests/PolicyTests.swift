import Analyzer
import Checkpoint
import Foundation
import Random
import Testing
@testable import Train

/// The TempBalance policy: the spec's check values and routing by name.
@Suite struct PolicyTests {
    @Test func sigmoidCheckValues() {
        // tempbalance-spec.md §6: α = [2, 3, 4], s_min 2, s_max 1, τ 10.
        let m = TempBalance.sigmoid([2, 3, 4], sMin: 2, sMax: 1, tau: 10)
        let expected = [0.10002091, 1, 3.16194712]
        #expect(m.count == expected.count)
        for (a, e) in zip(m, expected) { #expect(abs(a - e) < 5e-9, "\(a) vs \(e)") }
        // d = 0 takes the s_min branch and gives exactly 1.
        #expect(TempBalance.sigmoid([5, 5], sMin: 2, sMax: 1, tau: 10) == [1, 1])
    }

    @Test func linearMapEndPointsAndTies() {
        let m = TempBalance.linearMap([3, 2, 4, 2.5], minRatio: 0.5, maxRatio: 1.5)
        #expect(m == [1.0, 0.5, 1.5, 0.75])
        // Equal α: every layer at the upper end, as numpy.interp with xp = [a, a].
        #expect(TempBalance.linearMap([3, 3, 3], minRatio: 0.5, maxRatio: 1.5) == [1.5, 1.5, 1.5])
        #expect(TempBalance.linearMap([], minRatio: 0.5, maxRatio: 1.5) == [])
    }

    @Test func blocks() {
        #expect(TempBalance.block(of: "encoder.layer.3.attention.self.query") == "encoder.layer.3")
        #expect(TempBalance.block(of: "roberta.encoder.layer.11.output.dense") == "roberta.encoder.layer.11")
        #expect(TempBalance.block(of: "fc2") == nil)
        #expect(TempBalance.block(of: "classifier.dense") == nil)
    }

    /// The MLP: the reference drops the first (fc1) and last (fc5) layers, so fc2–fc4 are balanced.
    @Test func mlpExclusions() {
        let fits = [LayerFit(name: "fc1", eigenvalueCount: 256, metric: 3),
                    LayerFit(name: "fc2", eigenvalueCount: 256, metric: 2),
                    LayerFit(name: "fc3", eigenvalueCount: 256, metric: 3),
                    LayerFit(name: "fc4", eigenvalueCount: 40, metric: 4),
                    LayerFit(name: "fc5", eigenvalueCount: 10, metric: 5)]
        var o = PolicyOptions()
        #expect(TempBalance.candidates(fits, options: o) == ["fc2", "fc3"])
        let d = TempBalance.decide(fits, options: o)
        #expect(d.map(\.excluded) == [.firstLayer, nil, nil, .fewEigenvalues, .lastLayer])
        #expect(d[0].multiplier == 1 && d[4].multiplier == 1)
        o.minEvals = 8
        o.scheme = .linear
        let e = TempBalance.decide(fits, options: o)
        #expect(e.map(\.multiplier) == [1, 0.5, 1.0, 1.5, 1])
    }

    /// Routing on a named BERT-like fixture (block unit): analysed Linear weights and biases get
    /// their block's rate, a block's LayerNorm follows the block, embeddings / pooler / head keep η.
    @Test func routingByNameBlocks() {
        let names = ["embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight",
                     "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.bias",
                     "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
                     "encoder.layer.0.output.dense.weight",
                     "encoder.layer.1.attention.self.query.weight", "encoder.layer.1.output.dense.weight",
                     "encoder.layer.1.output.LayerNorm.bias",
                     "pooler.dense.weight", "classifier.weight", "classifier.bias"]
        let fits = [LayerFit(name: "embeddings.word_embeddings", eigenvalueCount: 384, metric: 9),
                    LayerFit(name: "encoder.layer.0.attention.self.query", eigenvalueCount: 384, metric: 2),
                    LayerFit(name: "encoder.layer.0.output.dense", eigenvalueCount: 384, metric: 4),
                    LayerFit(name: "encoder.layer.1.attention.self.query", eigenvalueCount: 384, metric: 4),
                    LayerFit(name: "encoder.layer.1.output.dense", eigenvalueCount: 384, metric: 4),
                    LayerFit(name: "pooler.dense", eigenvalueCount: 384, metric: 3),
                    LayerFit(name: "classifier", eigenvalueCount: 2, metric: 3)]
        var o = PolicyOptions()
        o.unit = .block
        o.sMin = 2; o.sMax = 1
        let d = TempBalance.decide(fits, options: o)
        // Block means 3 and 4 around their mean 3.5: multipliers 10^(2·(σ(−5) − ½)), 10^(σ(5) − ½).
        let low = TempBalance.sigmoid([3, 4], sMin: 2, sMax: 1, tau: 10)
        #expect(d[1].group == "encoder.layer.0" && d[1].groupMetric == 3 && d[1].multiplier == low[0])
        #expect(d[3].group == "encoder.layer.1" && d[3].multiplier == low[1])
        #expect(d[5].excluded == .noBlock && d[6].excluded == .lastLayer && d[0].excluded == .firstLayer)
        let r = Dictionary(uniqueKeysWithValues: TempBalance.route(parameterNames: names, decisions: d, options: o).map { ($0.name, $0.multiplier) })
        #expect(r["encoder.layer.0.attention.self.query.weight"] == low[0])
        #expect(r["encoder.layer.0.attention.self.query.bias"] == low[0])
        #expect(r["encoder.layer.0.attention.output.LayerNorm.weight"] == low[0])
        #expect(r["encoder.layer.0.attention.output.LayerNorm.bias"] == low[0])
        #expect(r["encoder.layer.1.output.LayerNorm.bias"] == low[1])
        for kept in ["embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight", "pooler.dense.weight",
                     "classifier.weight", "classifier.bias"] {
            #expect(r[kept] == 1, "\(kept) keeps the global rate")
        }
        o.normsFollow = false
        let r2 = Dictionary(uniqueKeysWithValues: TempBalance.route(parameterNames: names, decisions: d, options: o).map { ($0.name, $0.multiplier) })
        #expect(r2["encoder.layer.0.attention.output.LayerNorm.weight"] == 1)
    }

    /// Layer unit: `lnK` follows `fcK` by name, `bnK` follows `convK`, and a norm right after a
    /// balanced layer follows it; the head and the first layer keep η.
    @Test func routingByNameLayers() {
        let fits = ["fc1", "fc2", "fc3", "fc4"].enumerated().map { LayerFit(name: $1, eigenvalueCount: 256, metric: Double(2 + $0)) }
        let d = TempBalance.decide(fits, options: PolicyOptions())
        let names = ["fc1.weight", "fc1.bias", "ln1.weight", "fc2.weight", "fc2.bias", "ln2.weight", "ln2.bias",
                     "fc3.weight", "norm.weight", "fc4.weight", "fc4.bias"]
        let r = Dictionary(uniqueKeysWithValues: TempBalance.route(parameterNames: names, decisions: d, options: PolicyOptions()).map { ($0.name, $0.multiplier) })
        let k2 = d[1].multiplier, k3 = d[2].multiplier
        #expect(k2 < 1 && k3 > 1)
        #expect(r["fc2.weight"] == k2 && r["fc2.bias"] == k2 && r["ln2.weight"] == k2 && r["ln2.bias"] == k2)
        #expect(r["fc3.weight"] == k3 && r["norm.weight"] == k3)
        #expect(r["fc1.weight"] == 1 && r["ln1.weight"] == 1 && r["fc4.weight"] == 1 && r["fc4.bias"] == 1)
        let conv = TempBalance.decide(["conv1", "conv2", "conv3"].map { LayerFit(name: $0, eigenvalueCount: 64, metric: 3) }, options: PolicyOptions())
        let rc = TempBalance.route(parameterNames: ["conv2.weight", "bn2.weight", "bn1.weight"], decisions: conv, options: PolicyOptions())
        #expect(rc.map(\.multiplier) == [1, 1, 1])   // a single group sits at the mean: 10^0
        #expect(TempBalance.isNorm("bn2") && TempBalance.isNorm("encoder.layer.0.output.LayerNorm") && !TempBalance.isNorm("fc2"))
    }

    /// A policy file from an in-memory analysis: parameters by name, the first/last layers kept.
    @Test func policyFileFromAnalysis() throws {
        var rng = SeededRNG(seed: 3)
        func matrix(_ r: Int, _ c: Int, _ scale: Double) -> [Double] { (0..<(r * c)).map { _ in rng.normal() * scale } }
        let tensors: [(name: String, shape: [Int], values: [Double])] = [
            ("fc1.weight", [64, 32], matrix(64, 32, 1)), ("fc2.weight", [64, 64], matrix(64, 64, 1)),
            ("fc3.weight", [64, 64], matrix(64, 64, 1)), ("fc4.weight", [10, 64], matrix(10, 64, 1))]
        var ao = AnalysisOptions()
        ao.minEvals = 2
        let report = try Analyzer.analyze(InMemorySource(tensors: tensors), options: ao)
        let file = try PolicyFile(report: report, options: PolicyOptions())
        #expect(file.layers.map(\.name) == ["fc1", "fc2", "fc3", "fc4"])
        #expect(file.layers.filter { $0.excluded == nil }.map(\.name) == ["fc2", "fc3"])
        let alpha2 = try #require(report.layers[1].value(ofColumn: "hill_alpha"))
        #expect(file.layers[1].metric == alpha2)
        #expect(file.parameters["fc1.weight"] == 1 && file.parameters["fc4.weight"] == 1)
        #expect(file.parameters["fc2.weight"] == file.layers[1].multiplier)
        #expect(file.warnings.isEmpty)
    }

    /// The in-loop probe and the analyzer compute PL_Alpha_Hill with the same function: on
    /// rank-deficient weights (rank 20 of 32, so 12 round-off eigenvalues for the zero filter)
    /// their α agree to the bit, with and without the filter.
    @Test func probeAlphaIsTheAnalyzers() throws {
        var rng = SeededRNG(seed: 4)
        let a = (0..<(48 * 20)).map { _ in rng.normal() }, b = (0..<(20 * 32)).map { _ in rng.normal() }
        var w = [Double](repeating: 0, count: 48 * 32)
        for i in 0..<48 { for k in 0..<20 { for j in 0..<32 { w[i * 32 + j] += a[i * 20 + k] * b[k * 32 + j] } } }
        let tensors: [(name: String, shape: [Int], values: [Double])] = [("fc2.weight", [48, 32], w)]
        for filter in [true, false] {
            var probe = SpectrumProbe(policy: PolicyOptions())
            probe.xminPos = 1.5
            probe.filterZeros = filter
            let fromProbe = try probe.measure(tensors)["fc2.weight"]
            var o = AnalysisOptions()
            o.xminPos = 1.5
            o.filterZeros = filter
            o.minEvals = 2
            let layer = try #require(try Analyzer.analyze(InMemorySource(tensors: tensors), options: o).layers.first)
            let fromAnalyzer = layer.value(ofColumn: "hill_alpha")
            #expect(fromProbe == fromAnalyzer, "filter \(filter): probe \(String(describing: fromProbe)), analyzer \(String(describing: fromAnalyzer))")
            if filter { #expect(fromProbe != nil) }
        }
    }

    /// Embeddings keep η and do not count as the first layer (the reference analyses Linear
    /// and Conv layers only); on main the word embedding was balanced and dropped as "first".
    @Test func embeddingsKeepEta() {
        let fits = [LayerFit(name: "embeddings.word_embeddings", eigenvalueCount: 384, metric: 2.4, isEmbedding: true),
                    LayerFit(name: "embeddings.position_embeddings", eigenvalueCount: 384, metric: 1.7, isEmbedding: true),
                    LayerFit(name: "encoder.layer.0.attention.self.query", eigenvalueCount: 384, metric: 1.7),
                    LayerFit(name: "encoder.layer.0.attention.output.dense", eigenvalueCount: 384, metric: 1.8),
                    LayerFit(name: "encoder.layer.0.output.dense", eigenvalueCount: 384, metric: 2.6),
                    LayerFit(name: "pooler.dense", eigenvalueCount: 384, metric: 2.1)]
        let d = TempBalance.decide(fits, options: PolicyOptions())
        #expect(d.map(\.excluded) == [.embedding, .embedding, .firstLayer, nil, nil, .lastLayer])
        #expect(d[0].multiplier == 1 && d[1].multiplier == 1)
        #expect(TempBalance.candidates(fits, options: PolicyOptions()) == ["encoder.layer.0.attention.output.dense", "encoder.layer.0.output.dense"])
    }

    /// Every entry of the policy file has the same keys; entries of earlier files still read.
    @Test func decisionsHaveTheSameKeys() throws {
        let fits = [LayerFit(name: "e", eigenvalueCount: 64, metric: 3, isEmbedding: true), LayerFit(name: "a", eigenvalueCount: 64, metric: nil),
                    LayerFit(name: "b", eigenvalueCount: 64, metric: 2), LayerFit(name: "c", eigenvalueCount: 64, metric: 4),
                    LayerFit(name: "d", eigenvalueCount: 64, metric: 5)]
        let d = TempBalance.decide(fits, options: PolicyOptions())
        let data = try JSONEncoder().encode(d)
        let entries = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        #expect(Set(entries.map { $0.keys.sorted() }) == [["excluded", "group", "group_metric", "metric", "multiplier", "name", "num_evals", "reason"]])
        #expect(entries.map { $0["excluded"] as? Bool } == [true, true, false, false, true])
        #expect(entries[0]["reason"] as? String == "embedding (keeps η)" && entries[2]["reason"] is NSNull)
        #expect(try JSONDecoder().decode([LayerDecision].self, from: data) == d)
        let old = #"[{"name": "fc1", "num_evals": 64, "metric": 3, "multiplier": 1, "excluded": "first layer"}]"#
        #expect(try JSONDecoder().decode([LayerDecision].self, from: Data(old.utf8)).first?.excluded == .firstLayer)
    }

    /// A BERT-like checkpoint stored alphabetically: the policy follows the forward order, so a
    /// LayerNorm takes the multiplier of the dense layer before it (main: of the tensor before it
    /// alphabetically), and the first Linear layer is dropped.
    @Test func policyFileFollowsTheForwardOrder() throws {
        var rng = SeededRNG(seed: 5)
        var tensors: [(name: String, shape: [Int], values: [Double])] = [("embeddings.word_embeddings.weight", [64, 32], (0..<2048).map { _ in rng.normal() })]
        for block in [0, 1, 2, 10] {
            for (k, module) in ["attention.self.query", "attention.output.dense", "intermediate.dense", "output.dense"].enumerated() {
                let scale = 1 + Double((block * 4 + k) % 5)
                tensors.append(("encoder.layer.\(block).\(module).weight", [32, 32], (0..<1024).map { _ in rng.normal() * scale }))
            }
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                tensors.append(("encoder.layer.\(block).\(norm).weight", [32], [Double](repeating: 1, count: 32)))
            }
        }
        tensors.append(("pooler.dense.weight", [32, 32], (0..<1024).map { _ in rng.normal() }))
        tensors.sort { $0.name < $1.name }
        var ao = AnalysisOptions()
        ao.minEvals = 2
        let report = try Analyzer.analyze(InMemorySource(tensors: tensors), options: ao, order: .family(.bert))
        let file = try PolicyFile(report: report, options: PolicyOptions())
        #expect(file.warnings.isEmpty)
        let p = file.parameters
        for block in [0, 1, 2, 10] {
            let e = "encoder.layer.\(block)."
            #expect(p[e + "attention.output.LayerNorm.weight"] == p[e + "attention.output.dense.weight"])
            #expect(p[e + "output.LayerNorm.weight"] == p[e + "output.dense.weight"])
        }
        #expect(p["embeddings.word_embeddings.weight"] == 1 && p["encoder.layer.0.attention.self.query.weight"] == 1 && p["pooler.dense.weight"] == 1)
        #expect(file.layers.first { $0.excluded == .firstLayer }?.name == "encoder.layer.0.attention.self.query")
        // Natural name order (no config.json) is used and said so.
        let natural = try PolicyFile(report: try Analyzer.analyze(InMemorySource(tensors: tensors), options: ao, order: .natural()),
                                     options: PolicyOptions())
        #expect(natural.warnings.first?.hasPrefix("layer order: natural name order") == true)
    }

    /// --metric must name a numeric column; a value that is text or absent names the layer; a
    /// null (failed fit) keeps η.
    @Test func metricChecks() throws {
        var rng = SeededRNG(seed: 8)
        let tensors: [(name: String, shape: [Int], values: [Double])] = (1...4).map { ("fc\($0).weight", [64, 64], (0..<4096).map { _ in rng.normal() }) }
        var ao = AnalysisOptions()
        ao.minEvals = 2
        let report = try Analyzer.analyze(InMemorySource(tensors: tensors), options: ao)
        var o = PolicyOptions()
        o.metric = "hill_alpah"
        #expect(throws: PolicyError.self) { try PolicyFile(report: report, options: o) }
        do { _ = try PolicyFile(report: report, options: o) } catch let PolicyError.unknownMetric(_, valid) {
            #expect(valid.contains("hill_alpha") && valid.contains("stable_rank") && !valid.contains("name") && !valid.contains("layer_id"))
        }
        o.metric = "warning"
        #expect(throws: PolicyError.self) { try PolicyFile(report: report, options: o) }
        o.metric = "ks_alpha"
        var rows = report.layers.map(\.row)
        rows[2].set("ks_alpha", .string("2.5"))
        #expect(throws: PolicyError.nonNumericMetric(layer: "fc3.weight", metric: "ks_alpha", value: "the text '2.5'")) {
            try PolicyFile(report: report, rows: rows, options: o)
        }
        rows[2].set("ks_alpha", .null)
        let kept = try PolicyFile(report: report, rows: rows, options: o)
        #expect(kept.layers[2].excluded == .noMetric)
        var missing = Row()
        for k in rows[1].keys where k != "ks_alpha" { missing.set(k, rows[1][k]!) }
        rows[1] = missing
        #expect(throws: PolicyError.missingMetric(layer: "fc2.weight", metric: "ks_alpha")) {
            try PolicyFile(report: report, rows: rows, options: o)
        }
        // The trainer's probe checks its metric against the columns its analysis writes.
        var probe = SpectrumProbe(policy: o)
        try probe.validateMetric()
        probe.policy.metric = "alhpa"
        #expect(throws: TrainError.self) { try probe.validateMetric() }
        var mp = AnalysisOptions()
        mp.mpFit = true
        #expect(PolicyMetric.numericColumns(options: mp).contains("mp_softrank"))
        #expect(!PolicyMetric.numericColumns(options: AnalysisOptions()).contains("mp_softrank"))
    }
}
