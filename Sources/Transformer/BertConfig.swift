import Checkpoint
import Foundation

/// The architecture of a BERT-family encoder, as a Hugging Face `config.json` states it.
///
/// Dimensions (named once, used everywhere): V = `vocabSize`, P = `maxPositions`,
/// TV = `typeVocabSize`, C = `hiddenSize`, NH = `heads`, HS = C / NH (head size),
/// F = `intermediateSize`, L = `layers`.
///
/// Supported: `model_type` "bert" (or absent), architectures named `Bert…`, `hidden_act` "gelu"
/// (the exact erf form), `position_embedding_type` "absolute", encoders only (no decoder, no
/// cross-attention). Anything else is `TransformerError.unsupported`, naming what is supported.
public struct BertConfig: Sendable, Codable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabSize: Int
    public var layerNormEps: Double
    public var hiddenDropout: Double
    public var attentionDropout: Double
    /// The standard deviation of the fresh weights (the classification head): N(0, range²).
    public var initializerRange: Double

    public init(vocabSize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                maxPositions: Int, typeVocabSize: Int, layerNormEps: Double = 1e-12, hiddenDropout: Double = 0.1,
                attentionDropout: Double = 0.1, initializerRange: Double = 0.02) {
        self.vocabSize = vocabSize; self.hiddenSize = hiddenSize; self.layers = layers; self.heads = heads
        self.intermediateSize = intermediateSize; self.maxPositions = maxPositions; self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps; self.hiddenDropout = hiddenDropout; self.attentionDropout = attentionDropout
        self.initializerRange = initializerRange
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", layers = "num_hidden_layers"
        case heads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositions = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", hiddenDropout = "hidden_dropout_prob"
        case attentionDropout = "attention_probs_dropout_prob", initializerRange = "initializer_range"
    }

    /// HS = C / NH.
    public var headSize: Int { hiddenSize / heads }

    /// What this implementation supports, for error messages.
    public static let supportedSummary = "supported: model_type 'bert' (BertModel, BertForSequenceClassification, BertForMaskedLM, …), hidden_act 'gelu', position_embedding_type 'absolute', encoder only"

    /// Upper bounds that reject absurd sizes before anything is allocated.
    public enum Limits {
        public static let hiddenSize = 16_384
        public static let layers = 256
        public static let intermediateSize = 65_536
        public static let maxPositions = 65_536
        public static let typeVocabSize = 1_024
        public static let vocabSize = 2_000_000
        /// Parameters of the encoder (Float elements): 2³¹ = 8 GiB.
        public static let parameters = 1 << 31
    }

    /// Reads `config.json` from a model folder (or the file itself).
    public static func load(_ path: String) throws -> (config: BertConfig, json: JSONValue) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TransformerError.checkpoint(file: path, problem: "no such file or folder")
        }
        let file = isDir.boolValue ? (path as NSString).appendingPathComponent("config.json") : path
        guard FileManager.default.fileExists(atPath: file) else {
            throw TransformerError.checkpoint(file: file, problem: "missing: a Hugging Face model folder needs config.json beside the weights")
        }
        // Through InputFile: a regular file only (a FIFO would block), of at most 1 MiB.
        let data: [UInt8]
        do { data = try InputFile.read(file, limit: 1 << 20) } catch let e as CheckpointError {
            if e.kind == .tooLarge { throw TransformerError.badConfig(file: file, field: "(file)", problem: "is larger than 1 MiB") }
            throw TransformerError.checkpoint(file: file, problem: e.message)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch let e as JSONSyntaxError {
            throw TransformerError.badConfig(file: file, field: "(file)", problem: "is not valid JSON: \(e.message) at byte \(e.offset)")
        }
        return (try BertConfig(json: json, file: file), json)
    }

    /// Reads and checks the fields of a parsed `config.json`.
    public init(json: JSONValue, file: String) throws {
        guard json.objectMembers != nil else {
            throw TransformerError.badConfig(file: file, field: "(file)", problem: "is not a JSON object")
        }
        func unsupported(_ m: String) -> TransformerError { .unsupported(file: file, problem: "\(m); \(BertConfig.supportedSummary)") }
        if let t = json["model_type"] {
            guard t.stringValue == "bert" else { throw unsupported("model_type \(Self.show(t)) is not supported") }
        }
        if let a = json["architectures"], a != .null {
            guard let list = a.arrayValue, list.allSatisfy({ $0.stringValue?.hasPrefix("Bert") == true }) else {
                throw unsupported("architectures \(Self.show(a)) are not supported")
            }
        }
        if let act = json["hidden_act"], act.stringValue != "gelu" {
            throw unsupported("hidden_act \(Self.show(act)) is not supported")
        }
        if let p = json["position_embedding_type"], p != .null, p.stringValue != "absolute" {
            throw unsupported("position_embedding_type \(Self.show(p)) is not supported")
        }
        for flag in ["is_decoder", "add_cross_attention"] where json[flag]?.boolValue == true {
            throw unsupported("\(flag) true is not supported")
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let v = json[key] else { throw TransformerError.badConfig(file: file, field: key, problem: "is missing") }
            guard case .value(let i) = v.nonNegativeInteger, range.contains(i) else {
                throw TransformerError.badConfig(file: file, field: key, problem: "is \(Self.show(v)); expected an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return i
        }
        func real(_ key: String, default d: Double?, _ ok: (Double) -> Bool, _ expected: String) throws -> Double {
            guard let v = json[key] else {
                if let d { return d }
                throw TransformerError.badConfig(file: file, field: key, problem: "is missing")
            }
            guard let x = v.doubleValue, ok(x) else {
                throw TransformerError.badConfig(file: file, field: key, problem: "is \(Self.show(v)); expected \(expected)")
            }
            return x
        }
        hiddenSize = try int("hidden_size", 1...Limits.hiddenSize)
        layers = try int("num_hidden_layers", 1...Limits.layers)
        heads = try int("num_attention_heads", 1...hiddenSize)
        guard hiddenSize % heads == 0 else {
            throw TransformerError.badConfig(file: file, field: "num_attention_heads", problem: "is \(heads), which does not divide hidden_size \(hiddenSize)")
        }
        intermediateSize = try int("intermediate_size", 1...Limits.intermediateSize)
        maxPositions = try int("max_position_embeddings", 1...Limits.maxPositions)
        typeVocabSize = try int("type_vocab_size", 1...Limits.typeVocabSize)
        vocabSize = try int("vocab_size", 1...Limits.vocabSize)
        layerNormEps = try real("layer_norm_eps", default: nil, { $0 > 0 && $0 <= 0.1 }, "a number in (0, 0.1]")
        hiddenDropout = try real("hidden_dropout_prob", default: nil, { $0 >= 0 && $0 < 1 }, "a probability in [0, 1)")
        attentionDropout = try real("attention_probs_dropout_prob", default: nil, { $0 >= 0 && $0 < 1 }, "a probability in [0, 1)")
        initializerRange = try real("initializer_range", default: 0.02, { $0 >= 0 && $0 <= 1 }, "a number in [0, 1]")
        guard let count = parameterCount(classes: 2), count <= Limits.parameters else {
            throw TransformerError.badConfig(file: file, field: "vocab_size", problem: "and the other sizes give more than \(Limits.parameters) parameters")
        }
    }

    /// Checks the fields of a configuration built in code (the same ranges as `init(json:)`).
    public func validate() throws {
        let file = "(config)"
        func bad(_ f: String, _ p: String) -> TransformerError { .badConfig(file: file, field: f, problem: p) }
        guard (1...Limits.hiddenSize).contains(hiddenSize) else { throw bad("hidden_size", "is \(hiddenSize)") }
        guard (1...Limits.layers).contains(layers) else { throw bad("num_hidden_layers", "is \(layers)") }
        guard heads >= 1, hiddenSize % heads == 0 else { throw bad("num_attention_heads", "is \(heads), which does not divide hidden_size \(hiddenSize)") }
        guard (1...Limits.intermediateSize).contains(intermediateSize) else { throw bad("intermediate_size", "is \(intermediateSize)") }
        guard (1...Limits.maxPositions).contains(maxPositions) else { throw bad("max_position_embeddings", "is \(maxPositions)") }
        guard (1...Limits.typeVocabSize).contains(typeVocabSize) else { throw bad("type_vocab_size", "is \(typeVocabSize)") }
        guard (1...Limits.vocabSize).contains(vocabSize) else { throw bad("vocab_size", "is \(vocabSize)") }
        guard layerNormEps > 0, layerNormEps <= 0.1 else { throw bad("layer_norm_eps", "is \(layerNormEps)") }
        guard hiddenDropout >= 0, hiddenDropout < 1 else { throw bad("hidden_dropout_prob", "is \(hiddenDropout)") }
        guard attentionDropout >= 0, attentionDropout < 1 else { throw bad("attention_probs_dropout_prob", "is \(attentionDropout)") }
        guard initializerRange >= 0, initializerRange <= 1 else { throw bad("initializer_range", "is \(initializerRange)") }
    }

    /// The number of parameters of the encoder, pooler and a head of `classes` classes (nil on overflow).
    public func parameterCount(classes: Int) -> Int? {
        let C = hiddenSize, F = intermediateSize
        let terms: [(Int, Int)] = [(vocabSize + maxPositions + typeVocabSize + 2, C),
                                   (layers, 4 * C * C + 2 * C * F + F + 9 * C),
                                   (C + 1, C), (classes, C + 1)]
        var total = 0
        for (a, b) in terms {
            let (p, o1) = a.multipliedReportingOverflow(by: b)
            let (s, o2) = total.addingReportingOverflow(p)
            if o1 || o2 { return nil }
            total = s
        }
        return total
    }

    static func show(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "'\(s)'"
        case .number(let n): return n
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array(let a): return "[" + a.map(show).joined(separator: ", ") + "]"
        case .object: return "an object"
        }
    }
}
