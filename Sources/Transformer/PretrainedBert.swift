import Checkpoint
import Foundation
import Train
import Random

/// A Hugging Face BERT-family model folder (`config.json` + weights) opened and checked against
/// its configuration, without reading any values yet.
///
/// Tensor names are accepted as `BertModel` writes them (`embeddings.…`, `encoder.layer.<i>.…`,
/// `pooler.dense.…`) or with the `bert.` prefix of the `BertFor…` classes; `LayerNorm.gamma` /
/// `.beta` (TensorFlow-converted files) stand for `.weight` / `.bias`, as Hugging Face maps them.
/// `embeddings.position_ids` and heads of other tasks (`cls.…`) are ignored.
public struct PretrainedBert: Sendable {
    public let folder: String
    public let config: BertConfig
    /// `config.json` as read (written back, updated, beside a fine-tuned model).
    public let configJSON: JSONValue
    public let checkpoint: Checkpoint
    /// "" or "bert.": how the encoder's tensors are named in this checkpoint.
    public let prefix: String
    /// The checkpoint tensor of every encoder parameter (and of the pooler when present).
    let sources: [String: TensorInfo]
    /// The classifier head in the checkpoint, if any, and its class count.
    public let headClasses: Int?

    /// Opens `path` (a model folder, or the weights file inside one) and checks every tensor the
    /// encoder needs: present, floating-point, of the shape the configuration implies, and no
    /// encoder layer beyond `num_hidden_layers`.
    public init(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TransformerError.checkpoint(file: path, problem: "no such file or folder")
        }
        folder = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        (config, configJSON) = try BertConfig.load(folder)
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.open(path) } catch let e as CheckpointError {
            throw TransformerError.checkpoint(file: e.file, problem: e.message)
        }
        self.checkpoint = checkpoint
        let names = Set(checkpoint.tensors.map(\.name))
        let file = checkpoint.tensors.first?.file ?? path
        let prefix: String
        if names.contains(BertNames.encoderPrefix + BertNames.wordEmbeddings) {
            prefix = BertNames.encoderPrefix
        } else if names.contains(BertNames.wordEmbeddings) {
            prefix = ""
        } else {
            throw TransformerError.badTensor(file: file, tensor: BertNames.wordEmbeddings,
                                             problem: "is missing (nor is there 'bert.\(BertNames.wordEmbeddings)'): not a BERT checkpoint; \(BertConfig.supportedSummary)")
        }
        self.prefix = prefix
        let probe = BertClassifierConfig(encoder: config, classes: 2)
        let layout = probe.parameterLayout
        var sources: [String: TensorInfo] = [:]
        let c = config
        func describe(_ name: String) -> String {
            switch name {
            case BertNames.wordEmbeddings: return "vocab_size \(c.vocabSize), hidden_size \(c.hiddenSize)"
            case BertNames.positionEmbeddings: return "max_position_embeddings \(c.maxPositions), hidden_size \(c.hiddenSize)"
            case BertNames.tokenTypeEmbeddings: return "type_vocab_size \(c.typeVocabSize), hidden_size \(c.hiddenSize)"
            case _ where name.contains("intermediate") || name.contains(".output.dense"):
                return "hidden_size \(c.hiddenSize), intermediate_size \(c.intermediateSize)"
            default: return "hidden_size \(c.hiddenSize)"
            }
        }
        for e in layout.entries where !e.name.hasPrefix(BertNames.classifier + ".") {
            let isPooler = e.name.hasPrefix(BertNames.pooler + ".")
            let candidates = Self.aliases(e.name).map { prefix + $0 }
            guard let found = candidates.lazy.compactMap({ checkpoint.tensor(named: $0) }).first else {
                if isPooler { continue }   // a BertModel saved without its pooler: fresh, as Hugging Face does
                throw TransformerError.badTensor(file: file, tensor: prefix + e.name, problem: "is missing (config.json: num_hidden_layers \(c.layers))")
            }
            guard found.dtype.isFloatingPoint else {
                throw TransformerError.badTensor(file: found.file, tensor: found.name, problem: "has dtype \(found.dtype.rawValue); weights must be floating-point")
            }
            guard found.shape == e.shape else {
                throw TransformerError.badTensor(file: found.file, tensor: found.name,
                                                 problem: "has shape \(found.shape) but config.json (\(describe(e.name))) implies \(e.shape)")
            }
            sources[e.name] = found
        }
        if sources[BertNames.pooler + ".weight"] == nil || sources[BertNames.pooler + ".bias"] == nil {
            sources[BertNames.pooler + ".weight"] = nil
            sources[BertNames.pooler + ".bias"] = nil
        }
        // Layers the configuration does not have.
        let layerPrefix = prefix + "encoder.layer."
        for t in checkpoint.tensors where t.name.hasPrefix(layerPrefix) {
            let rest = t.name.dropFirst(layerPrefix.count)
            if let index = Int(rest.prefix { $0.isNumber }), index >= c.layers {
                throw TransformerError.badTensor(file: t.file, tensor: t.name, problem: "belongs to layer \(index) but config.json says num_hidden_layers \(c.layers)")
            }
        }
        self.sources = sources
        if let w = checkpoint.tensor(named: BertNames.classifier + ".weight"), let b = checkpoint.tensor(named: BertNames.classifier + ".bias"),
           w.shape.count == 2, w.shape[1] == c.hiddenSize, b.shape == [w.shape[0]], w.dtype.isFloatingPoint, b.dtype.isFloatingPoint {
            headClasses = w.shape[0]
        } else {
            headClasses = nil
        }
    }

    /// The index of the first NaN or infinite value.
    static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { b in
            for i in b.indices where !b[i].isFinite { return i }
            return nil
        }
    }

    /// The names a parameter may have in a checkpoint (LayerNorm gamma/beta as weight/bias).
    static func aliases(_ name: String) -> [String] {
        if name.hasSuffix("LayerNorm.weight") { return [name, String(name.dropLast("weight".count)) + "gamma"] }
        if name.hasSuffix("LayerNorm.bias") { return [name, String(name.dropLast("bias".count)) + "beta"] }
        return [name]
    }

    /// Whether the checkpoint holds the pooler.
    public var hasPooler: Bool { sources[BertNames.pooler + ".weight"] != nil }

    /// What `load` did beyond copying the encoder.
    public struct LoadReport: Sendable, Equatable {
        /// Parameters that were initialised afresh (the head, and the pooler when the checkpoint has none).
        public var initialized: [String]
    }

    /// Fills a model's parameters: the encoder (and pooler) from the checkpoint, the head from the
    /// checkpoint when it has one of the model's class count and `newHead` is false, else fresh
    /// (N(0, initializer_range²), zero bias, from `rng`). Values must be finite.
    @discardableResult
    public func load<T: TrainScalar>(into model: BertClassifier<T>, newHead: Bool = false, rng: inout SeededRNG) throws -> LoadReport {
        guard model.config.encoder == config else {
            throw TransformerError.badInput("the model's configuration differs from \(folder)/config.json")
        }
        var initialized: [String] = []
        let ps = model.parameters
        for e in ps.entries {
            let info: TensorInfo
            if let s = sources[e.name] {
                info = s
            } else if e.name.hasPrefix(BertNames.classifier + "."), !newHead, headClasses == model.config.classes,
                      let t = checkpoint.tensor(named: e.name) {
                info = t
            } else {
                continue
            }
            let values: [Float]
            do { values = try checkpoint.readFloats(info) } catch let err as CheckpointError {
                throw TransformerError.checkpoint(file: err.file, problem: err.message)
            }
            guard values.count == e.count else {
                throw TransformerError.badTensor(file: info.file, tensor: info.name, problem: "has \(values.count) values, expected \(e.count)")
            }
            if let bad = Self.firstNonFinite(values) {
                throw TransformerError.badTensor(file: info.file, tensor: info.name, problem: "holds a NaN or infinite value at element \(bad)")
            }
            let p = ps.values[e]
            if T.self == Float.self {
                values.withUnsafeBufferPointer { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: e.count * 4) }
            } else {
                for i in 0..<e.count { p[i] = T(values[i]) }
            }
        }
        if !hasPooler {
            model.initializePooler(rng: &rng)
            initialized += [BertNames.pooler + ".weight", BertNames.pooler + ".bias"]
        }
        if newHead || headClasses != model.config.classes {
            model.initializeHead(rng: &rng)
            initialized += [BertNames.classifier + ".weight", BertNames.classifier + ".bias"]
        }
        return LoadReport(initialized: initialized)
    }
}
