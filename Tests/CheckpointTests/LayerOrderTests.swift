import Foundation
import Testing
@testable import Checkpoint

/// `fixtures/order/<model>.txt`: `named_parameters()` of each family's model, written by
/// `Scripts/make-order-fixtures.py` from torch skeletons that register the Hugging Face modules
/// in the same order (12 blocks, so block 10 follows block 2 only when read as a number).
enum OrderFixtures {
    static let root = Fixtures.folder("order")

    static let models = ["bert-model", "bert-for-pretraining", "bert-for-sequence-classification",
                         "roberta-for-sequence-classification", "distilbert-for-sequence-classification",
                         "albert-for-masked-lm", "gpt2-lm-head-model", "llama-for-causal-lm", "qwen2-for-causal-lm",
                         "qwen3-for-causal-lm", "t5-for-conditional-generation", "vit-for-image-classification",
                         "vit-model-mask-token"]

    static func names(_ model: String) throws -> [String] {
        try String(contentsOfFile: root + "/" + model + ".txt", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The family of a fixture, by its `model_type` (the file name's first word).
    static func family(_ model: String) -> ModelFamily? {
        ModelFamily.detect(modelType: String(model.prefix { $0 != "-" }), architectures: [])
    }
}

@Suite struct FamilyOrderTests {
    /// Each family's table reproduces `named_parameters()` from the names alone, whatever order
    /// they are stored in (a safetensors file sorts them).
    @Test(arguments: OrderFixtures.models)
    func reproducesNamedParameters(model: String) throws {
        let expected = try OrderFixtures.names(model)
        #expect(expected.count > 100)
        let family = try #require(OrderFixtures.family(model))
        let order = LayerOrder.family(family)
        for stored in [expected.sorted(), expected.reversed(), expected.sorted { NaturalOrder.less($0, $1) }] {
            let got = order.sorted(Array(stored))
            let first = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }
            #expect(got == expected, "\(model): first difference at \(first.map { "\($0.offset): \($0.element)" } ?? "the end")")
        }
    }

    /// Without a family (natural order), block numbers are numbers and a module's tensors come
    /// before its submodules', but the module order inside a block is alphabetical.
    @Test func naturalOrder() {
        let names = ["encoder.layer.10.output.dense.weight", "encoder.layer.2.output.dense.bias",
                     "encoder.layer.2.output.dense.weight", "encoder.layer.2.attention.self.query.weight",
                     "encoder.layer.2.attention.output.dense.weight", "a.b.weight", "a.b.c.weight", "a.b.bias"]
        #expect(LayerOrder.natural().sorted(names) == [
            "a.b.weight", "a.b.bias", "a.b.c.weight",
            "encoder.layer.2.attention.output.dense.weight", "encoder.layer.2.attention.self.query.weight",
            "encoder.layer.2.output.dense.weight", "encoder.layer.2.output.dense.bias",
            "encoder.layer.10.output.dense.weight"])
    }

    /// Names outside a family's table (a head it does not know, a buffer) are placed: inside a
    /// known module after its known parts, at the top level after every known name.
    @Test func unknownNamesInAFamily() {
        let names = ["zz_head.weight", "encoder.layer.0.attention.self.rotary.inv_freq", "encoder.layer.0.attention.self.query.weight",
                     "encoder.layer.0.attention.self.extra.weight", "encoder.layer.0.output.dense.weight", "embeddings.position_ids",
                     "embeddings.word_embeddings.weight", "aa_head.weight"]
        #expect(LayerOrder.family(.bert).sorted(names) == [
            "embeddings.position_ids", "embeddings.word_embeddings.weight",
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.extra.weight",
            "encoder.layer.0.attention.self.rotary.inv_freq", "encoder.layer.0.output.dense.weight",
            "aa_head.weight", "zz_head.weight"])
    }

    /// GGUF names (llama.cpp's, the same in every architecture): the order llama.cpp's graph
    /// uses them in, for a BERT (post-norm) and a Llama (pre-norm) file, blocks as numbers.
    @Test func ggufNames() {
        func blocks(_ parts: [String]) -> [String] { [0, 2, 10].flatMap { b in parts.map { "blk.\(b).\($0)" } } }
        let bert = ["token_embd.weight", "token_types.weight", "position_embd.weight", "token_embd_norm.weight", "token_embd_norm.bias"]
            + blocks(["attn_q.weight", "attn_q.bias", "attn_k.weight", "attn_k.bias", "attn_v.weight", "attn_v.bias",
                      "attn_output.weight", "attn_output.bias", "attn_output_norm.weight", "attn_output_norm.bias",
                      "ffn_up.weight", "ffn_up.bias", "ffn_down.weight", "ffn_down.bias",
                      "layer_output_norm.weight", "layer_output_norm.bias"])
        let llama = ["token_embd.weight"]
            + blocks(["attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight",
                      "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"])
            + ["output_norm.weight", "output.weight"]
        for expected in [bert, llama] {
            #expect(LayerOrder.family(.gguf).sorted(expected.sorted()) == expected)
        }
    }

    @Test func detection() {
        #expect(ModelFamily.detect(modelType: "bert", architectures: []) == .bert)
        #expect(ModelFamily.detect(modelType: "xlm-roberta", architectures: []) == .roberta)
        #expect(ModelFamily.detect(modelType: "qwen3", architectures: []) == .llama)
        #expect(ModelFamily.detect(modelType: nil, architectures: ["DistilBertForMaskedLM"]) == .distilbert)
        #expect(ModelFamily.detect(modelType: nil, architectures: ["BertModel"]) == .bert)
        #expect(ModelFamily.detect(modelType: nil, architectures: ["MistralForCausalLM"]) == .llama)
        #expect(ModelFamily.detect(modelType: "xlnet", architectures: ["XLNetLMHeadModel"]) == nil)
    }
}

@Suite struct ConfigOrderTests {
    private func folder(config: String?) throws -> String {
        let dir = try makeTemporaryFolder()
        try FileManager.default.copyItem(atPath: Fixtures.path("hf-folder/model.safetensors"), toPath: dir + "/model.safetensors")
        if let config { try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8) }
        return dir
    }

    /// config.json in a folder, or beside a lone .safetensors, names the family.
    @Test func configBesideTheCheckpoint() throws {
        let dir = try folder(config: #"{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}"#)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for path in [dir, dir + "/model.safetensors"] {
            let order = try Checkpoint.open(path).forwardOrder()
            #expect(order.method == .family && order.family == .gpt2 && order.file == dir + "/config.json")
            #expect(order.summary.contains("gpt2"))
        }
        // The fixture folder's config has only `architectures`.
        #expect(try Checkpoint.open(Fixtures.path("hf-folder")).forwardOrder().family == .bert)
    }

    @Test func fallbacksSaySo() throws {
        let none = try folder(config: nil)
        defer { try? FileManager.default.removeItem(atPath: none) }
        let n = try Checkpoint.open(none + "/model.safetensors").forwardOrder()
        #expect(n.method == .natural && n.note == "no config.json beside the checkpoint")
        let unknown = try folder(config: #"{"model_type": "xlnet"}"#)
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        let u = try Checkpoint.open(unknown).forwardOrder()
        #expect(u.method == .natural && u.note?.contains("model_type 'xlnet' is not a family htsr knows") == true)
        #expect(u.summary.hasPrefix("natural name order"))
    }

    @Test func malformedConfigIsAnErrorNamingIt() throws {
        for (text, problem) in [("{\"model_type\": ", "not valid JSON"), ("[1, 2]", "not a JSON object"),
                                (#"{"model_type": 3}"#, "'model_type' is a number, not a string"),
                                (#"{"architectures": "BertModel"}"#, "'architectures' is a string"),
                                (#"{"architectures": [1]}"#, "'architectures' holds a number")] {
            let dir = try folder(config: text)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            do {
                _ = try Checkpoint.open(dir).forwardOrder()
                Issue.record("\(text): no error")
            } catch let e as LayerOrderError {
                #expect(e.file == dir + "/config.json" && e.message.contains(problem), "\(e)")
                #expect(!e.description.contains("\n"))
            }
        }
    }

    /// Keras 2 files record their layer order (`layer_names`): the reader supplies it.
    @Test func kerasLayerNamesAreNative() throws {
        let c = try Checkpoint.open(Fixtures.path("keras2/weights.h5"))
        let order = try c.forwardOrder()
        #expect(order.method == .native && order.note == "Keras layer_names")
        #expect(order.sorted(c.tensors.map(\.name).reversed()) == c.tensors.map(\.name))
    }
}

@Suite struct OrderFileTests {
    private func write(_ text: String) throws -> String {
        let path = try makeTemporaryFolder() + "/order.txt"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func error(_ body: () throws -> Void) -> LayerOrderError? {
        do { try body() } catch let e as LayerOrderError { return e } catch { Issue.record("\(error)") }
        return nil
    }

    @Test func listedOrderWins() throws {
        let path = try write("b.weight\n  a.weight  \n\nc.weight\n")
        let order = try LayerOrder.fromFile(path, tensorNames: ["a.weight", "b.weight", "c.weight", "position_ids"])
        #expect(order.method == .file && order.file == path)
        #expect(order.sorted(["c.weight", "position_ids", "a.weight", "b.weight"]) == ["b.weight", "a.weight", "c.weight", "position_ids"])
        #expect(order.note == "1 tensor(s) not listed, placed last")
    }

    /// A file printed from a wrapper (`GPT2LMHeadModel`: `transformer.h.0…`) fits a checkpoint
    /// saved without it (`h.0…`), and the other way round; names only the file has are ignored.
    @Test func wrapperPrefixOnEitherSide() throws {
        let gpt2 = try OrderFixtures.names("gpt2-lm-head-model")
        let bare = gpt2.map { String($0.dropFirst("transformer.".count)) }
        let path = try write(gpt2.joined(separator: "\n") + "\nscore.weight\n")
        let order = try LayerOrder.fromFile(path, tensorNames: bare.sorted())
        #expect(order.sorted(bare.sorted()) == bare)
        #expect(order.note == "'transformer.' removed from the file's names")
        let path2 = try write(bare.joined(separator: "\n"))
        let order2 = try LayerOrder.fromFile(path2, tensorNames: gpt2.sorted())
        #expect(order2.sorted(gpt2.sorted()) == gpt2)
        #expect(order2.note == "'transformer.' added to the file's names")
    }

    @Test func badFiles() throws {
        let dup = try write("a.weight\nb.weight\na.weight\n")
        #expect(error { _ = try LayerOrder.fromFile(dup, tensorNames: ["a.weight", "b.weight"]) }?.message
                == "line 3 repeats 'a.weight' (first on line 1); each name must appear once")
        let empty = try write("\n  \n")
        #expect(error { _ = try LayerOrder.fromFile(empty, tensorNames: ["a.weight"]) }?.message.hasPrefix("lists no names") == true)
        let foreign = try write("x.weight\ny.weight\n")
        let e = error { _ = try LayerOrder.fromFile(foreign, tensorNames: ["a.weight"]) }
        #expect(e?.message.contains("none of its 2 names is a tensor of the checkpoint") == true && e?.file == foreign)
        #expect(error { _ = try LayerOrder.fromFile("/nonexistent/order.txt", tensorNames: ["a"]) }?.message == "no such file")
        let binary = try makeTemporaryFolder() + "/order.bin"
        try Data([0x61, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: binary))
        #expect(error { _ = try LayerOrder.fromFile(binary, tensorNames: ["a"]) }?.message.hasPrefix("not UTF-8") == true)
        #expect(error { _ = try LayerOrder.fromFile(NSTemporaryDirectory(), tensorNames: ["a"]) }?.message == "not a regular file")
    }
}
