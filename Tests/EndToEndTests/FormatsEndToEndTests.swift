import Foundation
import Testing

/// MiniLM converted by Scripts/make-format-models.py (run by Scripts/setup) into .cache/formats.
let formatModels = HTSRBinary.packageRoot.appendingPathComponent(".cache/formats").path
let formatFixtures = HTSRBinary.packageRoot.appendingPathComponent("fixtures/formats").path

/// Runs `htsr analyze PATH --format json` with extra arguments and returns the parsed report.
func analyzeJSON(_ path: String, _ extra: [String] = []) throws -> [String: Any] {
    let r = try HTSRBinary.run(["analyze", path, "--format", "json", "--threads", "2"] + extra)
    #expect(r.status == 0, "\(r.stderr)")
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
}

@Suite struct FormatsEndToEnd {
    /// MiniLM as torch.save wrote it analyses like its safetensors: the same layers, every
    /// column equal (numbers to 1e-12 relative; in fact the same bits are read). The .bin,
    /// alone in its folder, takes its order from the state dict (saved here in the safetensors
    /// file's order), the safetensors file from config.json: rows are matched by name, and
    /// `layer_id` (a position in each file's order) is not compared.
    @Test func miniLMBinEqualsSafetensorsInEveryColumn() throws {
        let bin = formatModels + "/minilm-bin/pytorch_model.bin"
        try #require(FileManager.default.fileExists(atPath: bin), "run Scripts/setup to convert MiniLM")
        let a = try analyzeJSON(miniLMPath), b = try analyzeJSON(bin)
        #expect((b["source"] as! [String: Any])["format"] as? String == "pytorch")
        let la = a["layers"] as! [[String: Any]], lb = b["layers"] as! [[String: Any]]
        #expect(la.count == 39 && lb.count == la.count)
        var compared = 0
        let byName = Dictionary(uniqueKeysWithValues: lb.map { ($0["name"] as! String, $0) })
        #expect(Set(la.map { $0["name"] as! String }) == Set(byName.keys))
        #expect((b["order"] as? [String: Any])?["note"] as? String == "PyTorch state_dict order")
        for x in la {
            guard let y = byName[x["name"] as! String] else { continue }
            #expect(Set(x.keys) == Set(y.keys))
            for (key, vx) in x where key != "layer_id" {
                let vy = y[key]
                if let dx = (vx as? NSNumber)?.doubleValue, let dy = (vy as? NSNumber)?.doubleValue {
                    #expect(dx == dy || abs(dx - dy) <= 1e-12 * max(abs(dx), abs(dy)), "\(x["name"]!) \(key): \(dx) vs \(dy)")
                } else {
                    #expect(String(describing: vx) == String(describing: vy ?? "missing"), "\(x["name"]!) \(key)")
                }
                compared += 1
            }
        }
        #expect(compared > 39 * 50)
        #expect((a["skipped"] as! [[String: Any]]).count == (b["skipped"] as! [[String: Any]]).count)
    }

    /// MiniLM in Q8_0 and in Q4_K (Q5_0 where a row is not whole 256-blocks, as llama.cpp falls
    /// back): λmax and Hill α of every layer equal those of gguf-py's dequantized matrices
    /// (float64 SVD, fixtures/minilm-gguf-reference.json) to 1e-12; the model info is reported.
    @Test(arguments: ["q8_0", "q4_k"])
    func miniLMGGUFMatchesTheGGUFPackage(_ scheme: String) throws {
        let file = formatModels + "/minilm-\(scheme).gguf"
        try #require(FileManager.default.fileExists(atPath: file), "run Scripts/setup to convert MiniLM")
        let ours = try analyzeJSON(file)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: HTSRBinary.packageRoot.appendingPathComponent("fixtures/minilm-gguf-reference.json"))) as! [String: Any]
        let expected = reference[scheme] as! [[String: Any]]
        // Rows follow the forward order of llama.cpp's names; the reference the file's order.
        let layers = ours["layers"] as! [[String: Any]]
        #expect(Set(layers.map { $0["name"] as! String }) == Set(expected.map { $0["name"] as! String }))
        #expect(layers.count == expected.count)
        #expect((ours["order"] as? [String: Any])?["family"] as? String == "gguf")
        let byName = Dictionary(uniqueKeysWithValues: expected.map { ($0["name"] as! String, $0) })
        for l in layers {
            guard let e = byName[l["name"] as! String] else { continue }
            let name = l["name"] as! String
            #expect(l["quantization"] as? String == e["type"] as? String, "\(name)")
            let lmax = l["lambda_max"] as! Double, elmax = e["lambda_max"] as! Double
            #expect(abs(lmax - elmax) / elmax < 1e-12, "\(name): λmax \(lmax) vs \(elmax)")
            let a = l["hill_alpha"] as! Double, ea = e["hill_alpha"] as! Double
            #expect(abs(a - ea) / ea < 1e-12, "\(name): Hill α \(a) vs \(ea)")
        }
        if scheme == "q4_k" { #expect(expected.filter { $0["type"] as? String == "Q4_K" }.count == 6) }
        let source = ours["source"] as! [String: Any]
        #expect(source["format"] as? String == "gguf")
        let model = source["model"] as! [String: Any]
        #expect(model["architecture"] as? String == "bert" && model["block_count"] as? Int == 6 && model["context_length"] as? Int == 512)
    }

    /// GGUF's blk.N names feed the policy's block grouping.
    @Test func ggufBlocksGroupThePolicy() throws {
        let file = formatModels + "/minilm-q8_0.gguf"
        try #require(FileManager.default.fileExists(atPath: file), "run Scripts/setup to convert MiniLM")
        let r = try HTSRBinary.run(["policy", file, "--unit", "block"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let groups = Set((doc["layers"] as! [[String: Any]]).compactMap { $0["group"] as? String })
        #expect(groups == Set((0..<6).map { "blk.\($0)" }))
    }

    /// The small GGUF fixture: unsupported types are skipped by name, the table names each
    /// layer's quantization and the model.
    @Test func ggufTableAndSkips() throws {
        let file = formatFixtures + "/gguf/types.gguf"
        let report = try analyzeJSON(file)
        let skipped = report["skipped"] as! [[String: Any]]
        #expect(skipped.contains { $0["name"] as? String == "blk.3.ffn_iq2_xxs.weight" && $0["reason"] as? String == "type IQ2_XXS is not supported" && $0["dtype"] as? String == "IQ2_XXS" })
        #expect(skipped.contains { $0["name"] as? String == "blk.3.ffn_i32.weight" && $0["reason"] as? String == "not floating point" })
        let t = try HTSRBinary.run(["analyze", file])
        #expect(t.status == 0)
        #expect(t.stdout.contains("Q4_K") && t.stdout.contains("model: llama, 4 blocks, context 2048"))
    }
}

@Suite struct QuantizedEndToEnd {
    /// --compare-quantized: per layer Δα, λmax and stable rank between the float model and its
    /// GPTQ version, matched by name; the scheme is named; --quantized raw analyses the integers.
    @Test func compareQuantizedReportsEveryLayer() throws {
        let dir = formatFixtures + "/quantized/"
        let r = try HTSRBinary.run(["analyze", "--compare-quantized", dir + "float.safetensors", dir + "gptq.safetensors", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(doc["format"] as? String == "htsr-quantization-comparison")
        let layers = doc["layers"] as! [[String: Any]]
        // No config.json beside the files: natural name order.
        #expect(layers.map { $0["name"] as! String } == ["k_proj", "mlp", "q_proj"].map { "model.layers.0.\($0).weight" })
        for l in layers {
            #expect(l["quantization"] as? String == "gptq-4bit-g32")
            let lmax = l["lambda_max"] as! [String: Any]
            let base = lmax["base"] as! Double, quant = lmax["quantized"] as! Double
            #expect(abs((lmax["delta"] as! Double) - (quant - base)) < 1e-15)
            #expect(abs(quant - base) / base < 0.1)   // 4-bit GPTQ moves λmax by a few per cent here
        }
        let table = try HTSRBinary.run(["analyze", "--compare-quantized", dir + "float.safetensors", dir + "int8.safetensors"])
        #expect(table.stdout.contains("int8-per-channel") && table.stdout.contains("3 layers matched"))
        let bad = try HTSRBinary.run(["analyze", "--compare-quantized", dir + "float.safetensors"])
        #expect(bad.status == 64 && bad.stderr.contains("takes two checkpoints"))
        let raw = try analyzeJSON(dir + "bnb.safetensors", ["--quantized", "raw"])
        #expect((raw["layers"] as! [[String: Any]]).allSatisfy { $0["quantization"] as? String == "bnb-int8 raw" })
        let clash = try HTSRBinary.run(["analyze", dir + "bnb.safetensors", "--quantized", "raw", "--dequantize"])
        #expect(clash.status == 64)
    }
}

@Suite struct FormatCorpusEndToEnd {
    /// Every malformed file: exit status 1 (no crash, no trap), exactly one line on stderr naming
    /// the file and the problem, nothing on stdout, within the runner's timeout (no hang).
    @Test func everyCaseIsAOneLineError() throws {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: formatFixtures + "/bad/expected.json"))) as! [String: [String: String]]
        #expect(doc.count >= 50)
        for (file, e) in doc.sorted(by: { $0.key < $1.key }) {
            let r = try HTSRBinary.run(["analyze", "bad/" + file, "--threads", "1"], in: URL(fileURLWithPath: formatFixtures), timeout: 60)
            #expect(r.status == 1, "\(file): status \(r.status)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(file): \(r.stderr)")
            #expect(r.stderr.contains("bad/" + file.split(separator: "/")[0]) && r.stderr.contains(e["message"]!), "\(file): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(file)")
        }
    }
}
