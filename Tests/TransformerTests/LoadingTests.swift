import Checkpoint
import Foundation
import Testing
import Train
@testable import Transformer
import Random

/// Loading Hugging Face folders: names with and without `bert.`, and every way a folder can lie.
@Suite struct LoadingTests {
    static let tiny = GoldenTests.folder.appendingPathComponent("tiny").path

    /// A temporary model folder with `config` (the tiny one, edited) and `tensors` (the tiny
    /// model's, edited).
    static func folder(config edit: (inout [String: Any]) -> Void = { _ in },
                       tensors transform: ([WritableTensor]) -> [WritableTensor] = { $0 }) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-bert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tiny + "/config.json"))) as! [String: Any]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let source = try Checkpoint.open(tiny + "/model.safetensors")
        let tensors = try source.tensors.map { WritableTensor(name: $0.name, shape: $0.shape, floats: try source.readFloats($0)) }
        try SafetensorsWriter.write(transform(tensors), metadata: [:], to: dir + "/model.safetensors")
        return dir
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func unprefixedNamesAndGammaBetaLoadTheSameWeights() throws {
        let plain = try Self.folder(tensors: { ts in
            ts.map { t in
                var name = t.name.hasPrefix("bert.") ? String(t.name.dropFirst(5)) : t.name
                if name == "embeddings.LayerNorm.weight" { name = "embeddings.LayerNorm.gamma" }
                return WritableTensor(name: name, dtype: t.dtype, shape: t.shape, bytes: t.bytes)
            }
        })
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let a = try PretrainedBert(Self.tiny), b = try PretrainedBert(plain)
        #expect(a.prefix == "bert." && b.prefix == "")
        let config = BertClassifierConfig(encoder: a.config, classes: 3)
        let ma = try BertClassifier<Float>(config: config, maxBatch: 1, maxLength: 4)
        let mb = try BertClassifier<Float>(config: config, maxBatch: 1, maxLength: 4)
        var rng = SeededRNG(seed: 1)
        #expect(try a.load(into: ma, rng: &rng).initialized.isEmpty)
        #expect(try b.load(into: mb, rng: &rng).initialized.isEmpty)
        #expect(ma.parameters.values.array == mb.parameters.values.array)
    }

    @Test func aNewHeadAndAMissingPoolerAreInitialisedAsHuggingFaceDoes() throws {
        let dir = try Self.folder(tensors: { $0.filter { !$0.name.hasPrefix("bert.pooler") && !$0.name.hasPrefix("classifier") } })
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try PretrainedBert(dir)
        #expect(!p.hasPooler && p.headClasses == nil)
        let m = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 5), maxBatch: 1, maxLength: 4)
        var rng = SeededRNG(seed: 2)
        let report = try p.load(into: m, rng: &rng)
        #expect(report.initialized == ["pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"])
        let w = m.parameters.values.array(m.parameters.entry("classifier.weight")).map(Double.init)
        let sd = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(sd - 0.02) < 0.005, "N(0, 0.02²) head, got sd \(sd)")
        #expect(m.parameters.values.array(m.parameters.entry("classifier.bias")).allSatisfy { $0 == 0 })
    }

    @Test func configErrorsNameTheField() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("field 'hidden_size' is missing", { $0["hidden_size"] = nil }),
            ("field 'num_attention_heads' is 5, which does not divide hidden_size 32", { $0["num_attention_heads"] = 5 }),
            ("field 'vocab_size' is 99999999999", { $0["vocab_size"] = 99_999_999_999 }),
            ("field 'num_hidden_layers' is -2", { $0["num_hidden_layers"] = -2 }),
            ("field 'layer_norm_eps' is 'small'", { $0["layer_norm_eps"] = "small" }),
            ("field 'hidden_dropout_prob' is 1.5", { $0["hidden_dropout_prob"] = 1.5 }),
            ("model_type 'roberta' is not supported", { $0["model_type"] = "roberta" }),
            ("hidden_act 'relu' is not supported", { $0["hidden_act"] = "relu" }),
            ("position_embedding_type 'relative_key' is not supported", { $0["position_embedding_type"] = "relative_key" }),
            ("is_decoder true is not supported", { $0["is_decoder"] = true }),
        ]
        for (expected, edit) in cases {
            let dir = try Self.folder(config: edit)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let m = Self.message { _ = try PretrainedBert(dir) }
            #expect(m.contains(expected), "\(m)")
            #expect(m.contains("config.json") && !m.contains("\n"))
            if m.contains("not supported") { #expect(m.contains("supported: model_type 'bert'")) }
        }
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{\"hidden_size\": 32,".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        #expect(Self.message { _ = try PretrainedBert(dir) }.contains("is not valid JSON"))
        try FileManager.default.removeItem(atPath: dir + "/config.json")
        #expect(Self.message { _ = try PretrainedBert(dir) }.contains("config.json: missing"))
    }

    @Test func tensorsThatContradictTheConfigAreNamed() throws {
        let cases: [(String, (inout [String: Any]) -> Void, ([WritableTensor]) -> [WritableTensor])] = [
            ("tensor 'bert.embeddings.word_embeddings.weight' has shape [30, 32] but config.json (vocab_size 31, hidden_size 32) implies [31, 32]",
             { $0["vocab_size"] = 31 }, { $0 }),
            ("tensor 'bert.encoder.layer.1.attention.self.query.weight' belongs to layer 1 but config.json says num_hidden_layers 1",
             { $0["num_hidden_layers"] = 1 }, { $0 }),
            ("tensor 'bert.encoder.layer.2.attention.self.query.weight' is missing", { $0["num_hidden_layers"] = 3 }, { $0 }),
            ("intermediate_size 40", { $0["intermediate_size"] = 40 }, { $0 }),
            ("tensor 'bert.encoder.layer.0.output.LayerNorm.bias' is missing", { _ in }, { $0.filter { $0.name != "bert.encoder.layer.0.output.LayerNorm.bias" } }),
            ("tensor 'bert.encoder.layer.0.attention.self.key.weight' has dtype I32", { _ in }, { ts in
                ts.map { $0.name == "bert.encoder.layer.0.attention.self.key.weight" ? WritableTensor(name: $0.name, dtype: .I32, shape: $0.shape, bytes: $0.bytes) : $0 }
            }),
            ("embeddings.word_embeddings.weight' is missing (nor is there 'bert.", { _ in }, { $0.filter { !$0.name.contains("word_embeddings") } }),
        ]
        for (expected, edit, transform) in cases {
            let dir = try Self.folder(config: edit, tensors: transform)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let m = Self.message { _ = try PretrainedBert(dir) }
            #expect(m.contains(expected), "\(m)")
            #expect(!m.contains("\n"))
        }
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        let dir = try Self.folder(tensors: { ts in
            ts.map { t in
                guard t.name == "bert.encoder.layer.1.intermediate.dense.bias" else { return t }
                var v = [Float](repeating: 0.5, count: t.shape.reduce(1, *)); v[3] = .nan
                return WritableTensor(name: t.name, shape: t.shape, floats: v)
            }
        })
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try PretrainedBert(dir)
        let m = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 1, maxLength: 4)
        var rng = SeededRNG(seed: 0)
        let message = Self.message { try p.load(into: m, rng: &rng) }
        #expect(message.contains("tensor 'bert.encoder.layer.1.intermediate.dense.bias' holds a NaN or infinite value at element 3"), "\(message)")
    }

    @Test func badBatchesAreOneLineErrors() throws {
        let p = try PretrainedBert(Self.tiny)
        let m = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 2, maxLength: 6)
        var rng = SeededRNG(seed: 0)
        let cases: [(String, TokenBatch, [Int32])] = [
            ("token id 30 outside the vocabulary 0..<30", TokenBatch(sequences: [[2, 30]]), [0]),
            ("token id -1", TokenBatch(sequences: [[2, -1]]), [0]),
            ("token type 2 outside 0..<2", TokenBatch(sequences: [[2, 3]], types: [[0, 2]]), [0]),
            ("exceed the maximum length 6", TokenBatch(sequences: [[1, 2, 3, 4, 5, 6, 7]]), [0]),
            ("exceeds the model's maximum of 2", TokenBatch(sequences: [[1], [2], [3]]), [0, 0, 0]),
            ("sequence 0 has no unmasked token", TokenBatch(ids: [1, 2], mask: [0, 0], batch: 1, length: 2), [0]),
            ("attention mask 2", TokenBatch(ids: [1, 2], mask: [1, 2], batch: 1, length: 2), [0]),
            ("labels in 0..<3", TokenBatch(sequences: [[1, 2]]), [3]),
            ("needs 4 ids", TokenBatch(ids: [1, 2, 3], batch: 2, length: 2), [0, 0]),
        ]
        for (expected, batch, labels) in cases {
            let message = Self.message { try m.forward(batch, labels: labels, training: false, rng: &rng) }
            #expect(message.contains(expected), "\(message)")
        }
        #expect(Self.message { _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 2, maxLength: 17) }
            .contains("max_position_embeddings"))
        #expect(Self.message { _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 1), maxBatch: 2, maxLength: 4) }
            .contains("2 … 100000 classes"))
        #expect(Self.message { _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 1 << 40, maxLength: 16) }
            .contains("activation memory"))
        let tooMuch = Self.message { _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 1 << 18, maxLength: 16) }
        #expect(tooMuch.contains("GiB for its weights, gradients, optimizer state and activations, more than the memory budget of"), "\(tooMuch)")
        // The budget is the run's (--max-memory): 1 MiB does not hold a batch of 64 × 16 tokens.
        let budget = Self.message { _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 64, maxLength: 16, budget: MemoryBudget(bytes: 1 << 20)) }
        #expect(budget.contains("tokens needs") && budget.contains("more than the memory budget of 1.0 MiB"), "\(budget)")
        _ = try BertClassifier<Float>(config: BertClassifierConfig(encoder: p.config, classes: 3), maxBatch: 64, maxLength: 16, budget: MemoryBudget(bytes: 1 << 30))
    }
}
