import Checkpoint
import Foundation
import Random
import Testing

/// Fixtures for the metric options, written into a temporary folder by each test.
enum MetricFixtures {
    /// Standard Gaussians from SplitMix64 and Box–Muller.
    static func gaussian(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var g = SplitMix64(seed: seed)
        func u() -> Double { (Double(g.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
        return (0..<count).map { _ in scale * (-2 * log(u())).squareRoot() * cos(2 * .pi * u()) }
    }

    /// `B·A` for row-major B (rows × r) and A (r × cols), times `scale`.
    static func product(_ b: [Double], _ a: [Double], rows: Int, rank: Int, cols: Int, scale: Double) -> [Double] {
        var c = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows { for k in 0..<rank { for j in 0..<cols { c[i * cols + j] += scale * b[i * rank + k] * a[k * cols + j] } } }
        return c
    }

    static func write(_ tensors: [(String, [Int], [Double])], to path: String) throws {
        try SafetensorsWriter.write(tensors.map { WritableTensor(name: $0.0, shape: $0.1, doubles: $0.2) }, metadata: [:], to: path)
    }

    static let enc0 = gaussian(48 * 32, seed: 1), enc1 = gaussian(64 * 32, seed: 2), head = gaussian(32 * 16, seed: 3)
    static let a0 = gaussian(8 * 32, seed: 10, scale: 0.1), b0 = gaussian(48 * 8, seed: 11, scale: 0.1)
    static let a1 = gaussian(8 * 32, seed: 12, scale: 0.1), b1 = gaussian(64 * 8, seed: 13, scale: 0.1)

    /// base.safetensors: enc.0 (48×32), enc.1 (64×32), head (32×16), a bias, old.weight (base only).
    static func writeBase(_ tmp: TemporaryFolder, name: String = "base.safetensors", enc1Shape: [Int] = [64, 32]) throws {
        try write([("enc.0.weight", [48, 32], enc0), ("enc.0.bias", [48], gaussian(48, seed: 4)),
                   ("enc.1.weight", enc1Shape, gaussian(enc1Shape.reduce(1, *), seed: 2)), ("head.weight", [32, 16], head),
                   ("old.weight", [20, 16], gaussian(320, seed: 5))], to: tmp.path(name))
    }

    /// model.safetensors: enc.0 + a rank-3 update, enc.1 + small noise, head unchanged,
    /// extra.weight (model only).
    static func writeFineTuned(_ tmp: TemporaryFolder) throws {
        let u = gaussian(48 * 3, seed: 20), v = gaussian(3 * 32, seed: 21)
        let update = product(u, v, rows: 48, rank: 3, cols: 32, scale: 1)
        let noise = gaussian(64 * 32, seed: 22, scale: 0.01)
        try write([("enc.0.weight", [48, 32], zip(enc0, update).map { $0 + $1 }), ("enc.0.bias", [48], gaussian(48, seed: 4)),
                   ("enc.1.weight", [64, 32], zip(enc1, noise).map { $0 + $1 }), ("head.weight", [32, 16], head),
                   ("extra.weight", [24, 16], gaussian(384, seed: 6))], to: tmp.path("model.safetensors"))
    }

    /// lora/adapter_model.safetensors (PEFT names, r = 8) and, unless `config` is nil,
    /// lora/adapter_config.json.
    static func writeAdapter(_ tmp: TemporaryFolder, folder: String = "lora", module0: String = "enc.0",
                             config: String? = #"{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["enc.0", "enc.1"]}"#) throws {
        try FileManager.default.createDirectory(atPath: tmp.path(folder), withIntermediateDirectories: true)
        try write([("base_model.model.\(module0).lora_A.weight", [8, 32], a0), ("base_model.model.\(module0).lora_B.weight", [48, 8], b0),
                   ("base_model.model.enc.1.lora_A.weight", [8, 32], a1), ("base_model.model.enc.1.lora_B.weight", [64, 8], b1)],
                  to: tmp.path(folder + "/adapter_model.safetensors"))
        if let config { try config.write(toFile: tmp.path(folder + "/adapter_config.json"), atomically: true, encoding: .utf8) }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    static func layers(_ object: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: (object["layers"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
    }
}

@Suite struct BaseModelEndToEnd {
    /// `--base`: each layer is W − W_base. enc.0's difference is a rank-3 update, so exactly 3 of
    /// its 32 eigenvalues are nonzero; head did not change (all zero); unmatched layers are
    /// listed in the JSON and on stderr, and not analysed.
    @Test func deltaAnalysis() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        try MetricFixtures.writeFineTuned(tmp)
        let r = try HTSRBinary.run(["analyze", tmp.path("model.safetensors"), "--base", tmp.path("base.safetensors"),
                                    "--min-evals", "2", "-o", tmp.path("d.json"), "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("extra.weight") && r.stderr.contains("no match"))
        #expect(r.stderr.contains("old.weight"))
        let object = try MetricFixtures.json(tmp.path("d.json"))
        let comparison = try #require(object["comparison"] as? [String: Any])
        #expect(comparison["mode"] as? String == "delta")
        #expect(comparison["model_only"] as? [String] == ["extra.weight"])
        #expect(comparison["base_only"] as? [String] == ["old.weight"])
        let layers = MetricFixtures.layers(object)
        #expect(Set(layers.keys) == ["enc.0.weight", "enc.1.weight", "head.weight"])
        let enc0 = try #require(layers["enc.0.weight"])
        #expect(enc0["rank_loss"] as? Int == 29 && enc0["matrix_rank"] as? Int == 3)
        #expect(layers["head.weight"]?["lambda_max"] as? Double == 0)
        let skipped = object["skipped"] as! [[String: Any]]
        #expect(skipped.contains { $0["name"] as? String == "extra.weight" && ($0["reason"] as? String ?? "").contains("base") })
    }

    @Test func shapeMismatchIsAOneLineError() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp, name: "other.safetensors", enc1Shape: [64, 48])
        try MetricFixtures.writeFineTuned(tmp)
        let r = try HTSRBinary.run(["analyze", tmp.path("model.safetensors"), "--base", tmp.path("other.safetensors"), "-o", tmp.path("x.json")])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("other.safetensors") && r.stderr.contains("enc.1.weight") && r.stderr.contains("64x48"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path("x.json")))
    }
}

@Suite struct LoRAEndToEnd {
    /// The adapter alone: one row per module, `enc.0.lora_BA` with r = 8 eigenvalues, scaled by
    /// lora_alpha/r = 2 (so λ is 4× the unscaled product's: checked against a run without the
    /// config); with --base the rows are W + 2·B·A, identical to analysing the merged weights.
    @Test func adapterAloneAndMerged() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        try MetricFixtures.writeAdapter(tmp)
        try MetricFixtures.writeAdapter(tmp, folder: "noconfig", config: nil)
        let r = try HTSRBinary.run(["analyze", tmp.path("lora"), "-o", tmp.path("ba.json"), "--quiet"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let ba = try MetricFixtures.json(tmp.path("ba.json"))
        let layers = MetricFixtures.layers(ba)
        #expect(Set(layers.keys) == ["enc.0.lora_BA", "enc.1.lora_BA"])
        #expect(layers["enc.0.lora_BA"]?["num_evals"] as? Int == 8)
        let comparison = try #require(ba["comparison"] as? [String: Any])
        #expect(comparison["mode"] as? String == "lora_BA")
        #expect((comparison["modules"] as? [[String: Any]])?.first?["scale"] as? Double == 2)

        let plain = try HTSRBinary.run(["analyze", tmp.path("noconfig/adapter_model.safetensors"), "-o", tmp.path("plain.json"), "--quiet"])
        #expect(plain.status == 0 && plain.stderr.contains("adapter_config.json"), "\(plain.stderr)")
        let unscaled = MetricFixtures.layers(try MetricFixtures.json(tmp.path("plain.json")))
        for name in ["enc.0.lora_BA", "enc.1.lora_BA"] {
            let x = layers[name]!["lambda_max"] as! Double, y = unscaled[name]!["lambda_max"] as! Double
            #expect(abs(x / y - 4) < 1e-12)
            #expect(abs((layers[name]!["alpha"] as! Double) - (unscaled[name]!["alpha"] as! Double)) < 1e-9)
        }

        let m = try HTSRBinary.run(["analyze", tmp.path("lora"), "--base", tmp.path("base.safetensors"), "-o", tmp.path("m.json"), "--quiet"])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stderr.contains("head.weight") && m.stderr.contains("no LoRA adapter"))
        let merged = MetricFixtures.layers(try MetricFixtures.json(tmp.path("m.json")))
        #expect(Set(merged.keys) == ["enc.0.weight", "enc.1.weight"])
        // The same weights merged by hand and analysed as a plain checkpoint.
        let w0 = zip(MetricFixtures.enc0, MetricFixtures.product(MetricFixtures.b0, MetricFixtures.a0, rows: 48, rank: 8, cols: 32, scale: 2)).map { $0 + $1 }
        let w1 = zip(MetricFixtures.enc1, MetricFixtures.product(MetricFixtures.b1, MetricFixtures.a1, rows: 64, rank: 8, cols: 32, scale: 2)).map { $0 + $1 }
        try MetricFixtures.write([("enc.0.weight", [48, 32], w0), ("enc.1.weight", [64, 32], w1)], to: tmp.path("merged.safetensors"))
        let h = try HTSRBinary.run(["analyze", tmp.path("merged.safetensors"), "-o", tmp.path("h.json"), "--quiet"])
        #expect(h.status == 0)
        let byHand = MetricFixtures.layers(try MetricFixtures.json(tmp.path("h.json")))
        for name in ["enc.0.weight", "enc.1.weight"] {
            for k in ["lambda_max", "norm", "alpha", "hill_alpha"] {
                let x = merged[name]![k] as! Double, y = byHand[name]![k] as! Double
                #expect(abs(x - y) <= 1e-9 * abs(y), "\(name) \(k)")
            }
        }
    }

    @Test func unreadableConfigIsAOneLineError() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeAdapter(tmp, config: "{not json")
        let r = try HTSRBinary.run(["analyze", tmp.path("lora"), "-o", tmp.path("x.json")])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("adapter_config.json") && r.stderr.contains("JSON"))
        let wrongType = try TemporaryFolder()
        defer { wrongType.cleanup() }
        try MetricFixtures.writeAdapter(wrongType, config: #"{"r": 8, "lora_alpha": "sixteen"}"#)
        let r2 = try HTSRBinary.run(["analyze", wrongType.path("lora")])
        #expect(r2.status == 1 && r2.stderr.contains("adapter_config.json") && r2.stderr.contains("lora_alpha"), "\(r2.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("x.json")))
    }

    @Test func adapterWithoutMatchingBaseLayerIsAOneLineError() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        try MetricFixtures.writeAdapter(tmp, module0: "dec.0")
        let r = try HTSRBinary.run(["analyze", tmp.path("lora"), "--base", tmp.path("base.safetensors")])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("adapter_model.safetensors") && r.stderr.contains("dec.0") && r.stderr.contains("base.safetensors"))
    }
}

@Suite struct CompareEndToEnd {
    @Test func perLayerDeltaAndSummary() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        try MetricFixtures.writeFineTuned(tmp)
        for (file, out) in [("base.safetensors", "a.json"), ("model.safetensors", "b.json")] {
            let r = try HTSRBinary.run(["analyze", tmp.path(file), "--mp-fit", "-o", tmp.path(out), "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let t = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("b.json"), "--metric", "stable_rank"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("enc.0.weight") && t.stdout.contains("stable_rank A") && t.stdout.contains("mean mp_softrank"))
        #expect(t.stdout.contains("only in") && t.stdout.contains("old.weight") && t.stdout.contains("extra.weight"))
        let j = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("b.json"), "--metric", "alpha", "--format", "json"])
        #expect(j.status == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let a = MetricFixtures.layers(try MetricFixtures.json(tmp.path("a.json")))
        let b = MetricFixtures.layers(try MetricFixtures.json(tmp.path("b.json")))
        let rows = doc["layers"] as! [[String: Any]]
        #expect(rows.map { $0["name"] as! String } == ["enc.0.weight", "enc.1.weight", "head.weight"])
        for row in rows {
            let name = row["name"] as! String
            let expected = (b[name]!["alpha"] as! Double) - (a[name]!["alpha"] as! Double)
            #expect(abs((row["delta"] as! Double) - expected) < 1e-12)
        }
        #expect((doc["summary"] as! [[String: Any]]).contains { $0["key"] as? String == "mean alpha" })
        #expect(head(rows, "head.weight")?["delta"] as? Double == 0)
    }

    private func head(_ rows: [[String: Any]], _ name: String) -> [String: Any]? { rows.first { $0["name"] as? String == name } }

    @Test func errors() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        let r = try HTSRBinary.run(["analyze", tmp.path("base.safetensors"), "-o", tmp.path("a.json"), "--quiet"])
        #expect(r.status == 0)
        let unknown = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("a.json"), "--metric", "no_such_metric"])
        #expect(unknown.status == 1 && unknown.stderr.contains("a.json") && unknown.stderr.contains("no_such_metric"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        try "{}".write(toFile: tmp.path("bad.json"), atomically: true, encoding: .utf8)
        let bad = try HTSRBinary.run(["compare", tmp.path("a.json"), tmp.path("bad.json")])
        #expect(bad.status == 1 && bad.stderr.contains("bad.json") && bad.stderr.contains("not an htsr analysis"))
    }
}

@Suite struct MetricOptionsEndToEnd {
    /// Every option on a small model: the new columns are in the CSV, the run is reproducible
    /// with a seed and the randomised columns change with it, and --timings reports the stages.
    @Test func allOptionsReproducible() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.writeBase(tmp)
        let args = ["analyze", tmp.path("base.safetensors"), "--mp-fit", "--randomize", "--fingers", "clip-xmax",
                    "--farms", "--farms-rows", "16", "--farms-ops", "3", "--quiet"]
        let r1 = try HTSRBinary.run(args + ["--seed", "5", "-o", tmp.path("1.csv"), "--timings"])
        let r2 = try HTSRBinary.run(args + ["--seed", "5", "-o", tmp.path("2.csv")])
        let r3 = try HTSRBinary.run(args + ["--seed", "6", "-o", tmp.path("3.csv")])
        #expect(r1.status == 0 && r2.status == 0 && r3.status == 0, "\(r1.stderr)")
        let c1 = try String(contentsOfFile: tmp.path("1.csv"), encoding: .utf8)
        let c2 = try String(contentsOfFile: tmp.path("2.csv"), encoding: .utf8)
        let c3 = try String(contentsOfFile: tmp.path("3.csv"), encoding: .utf8)
        #expect(c1 == c2)
        #expect(c1 != c3)
        let header = c1.split(separator: "\n")[0].split(separator: ",").map(String.init)
        for column in ["sigma_mp", "bulk_min", "bulk_max", "num_spikes", "mp_softrank", "rand_distance", "rand_density_distance",
                       "ww_softrank", "ww_maxdist", "rand_num_spikes", "max_rand_eval", "num_fingers", "raw_alpha",
                       "farms_alpha", "farms_windows", "Q"] {
            #expect(header.contains(column), "\(column)")
        }
        for stage in ["read", "spectra", "fits", "mp", "randomization", "fingers", "farms", "wall"] {
            #expect(r1.stderr.contains(stage), "\(stage): \(r1.stderr)")
        }
        // TPL with fingers: alpha/Lambda are the TPL's, the KS fit's clipping is in its own columns.
        let tpl = try HTSRBinary.run(["analyze", tmp.path("base.safetensors"), "--fit", "tpl", "--fingers", "clip-xmax", "--format", "json"])
        #expect(tpl.status == 0)
        let layers = (try JSONSerialization.jsonObject(with: Data(tpl.stdout.utf8)) as! [String: Any])["layers"] as! [[String: Any]]
        #expect(layers.allSatisfy { $0["Lambda"] is Double && $0["fit"] as? String == "tpl" && $0["clipped_alpha"] is Double })
    }

    @Test func noPoolNamesSlices() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        try MetricFixtures.write([("conv.weight", [16, 8, 3, 3], MetricFixtures.gaussian(16 * 8 * 9, seed: 7))], to: tmp.path("c.safetensors"))
        let r = try HTSRBinary.run(["analyze", tmp.path("c.safetensors"), "--no-pool", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let layers = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["layers"] as! [[String: Any]]
        #expect(layers.map { $0["name"] as! String } == (0..<9).map { "conv.weight:\($0)" })
        #expect(layers.allSatisfy { $0["num_evals"] as? Int == 8 })
    }

    @Test func contradictoryOptionsExit64() throws {
        let path = checkpoints.appendingPathComponent("sharded/model.safetensors.index.json").path
        let r1 = try HTSRBinary.run(["analyze", path, "--max-fingers", "5"])
        #expect(r1.status == 64 && r1.stderr.contains("--fingers"))
        let r2 = try HTSRBinary.run(["analyze", path, "--farms-rows", "100"])
        #expect(r2.status == 64 && r2.stderr.contains("--farms"))
        let r3 = try HTSRBinary.run(["analyze", path, "--fit", "nonsense"])
        #expect(r3.status == 64)
    }
}

@Suite struct MiniLMWeightWatcherParity {
    /// MiniLM with --mp-fit and --fingers clip-xmax against WeightWatcher 0.7.7 on the same
    /// checkpoint (fixtures/metrics/weightwatcher-reference.json):
    /// - KS fit (WeightWatcher's alpha, D, xmin), norms, ranks, entropy: to 1e-9;
    /// - clip_xmax: raw α and clipped α to 1e-9; num_fingers = WeightWatcher's + 1 when clipped;
    /// (The MP fit is compared in AnalyzerTests, which can evaluate WeightWatcher's objective.)
    @Test func matchesWeightWatcher() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let url = HTSRBinary.packageRoot.appendingPathComponent("fixtures/metrics/weightwatcher-reference.json")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let ref = try #require((reference["minilm"] as? [String: Any])?["layers"] as? [String: [String: Any]])
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["analyze", miniLMPath, "--mp-fit", "--fingers", "clip-xmax", "-o", tmp.path("m.json"), "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let ours = MetricFixtures.layers(try MetricFixtures.json(tmp.path("m.json")))
        #expect(Set(ours.keys) == Set(ref.keys))
        for (name, w) in ref {
            let o = try #require(ours[name])
            func same(_ ourKey: String, _ wwKey: String, _ tol: Double = 1e-9) {
                guard let x = o[ourKey] as? Double, let y = w[wwKey] as? Double else {
                    Issue.record("\(name): \(ourKey) or \(wwKey) missing"); return
                }
                #expect(abs(x - y) <= tol * max(1, abs(y)), "\(name) \(ourKey) \(x) vs \(y)")
            }
            same("ks_alpha", "alpha"); same("ks_D", "D"); same("ks_xmin", "xmin")
            same("norm", "norm"); same("lambda_max", "lambda_max"); same("stable_rank", "stable_rank")
            same("entropy", "entropy"); same("ks_log_alpha_norm", "log_alpha_norm")
            same("raw_alpha", "fingers_raw_alpha"); same("alpha", "fingers_alpha")
            #expect(o["matrix_rank"] as? Int == w["matrix_rank"] as? Int)
            let f = w["fingers_num_fingers"] as! Int
            #expect(o["num_fingers"] as? Int == (f == 0 ? 0 : f + 1), "\(name)")
        }
    }
}
