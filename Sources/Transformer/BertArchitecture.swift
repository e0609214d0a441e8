import Train

/// How the encoder's output becomes one vector per sequence.
public enum Pooling: String, Sendable, Codable, CaseIterable {
    /// The [CLS] (first) token through the pooler, dense + tanh (`BertForSequenceClassification`).
    case cls
    /// The mean of the unmasked tokens' vectors (sentence-transformers), without the pooler.
    case mean
}

/// A BERT encoder with a sequence-classification head: the encoder's configuration, the class
/// count K, the pooling, and the dropout before the head (Hugging Face: `classifier_dropout`, else
/// `hidden_dropout_prob`).
public struct BertClassifierConfig: Sendable, Codable, Equatable {
    public var encoder: BertConfig
    public var classes: Int
    public var pooling: Pooling
    public var classifierDropout: Double

    public init(encoder: BertConfig, classes: Int, pooling: Pooling = .cls, classifierDropout: Double? = nil) {
        self.encoder = encoder
        self.classes = classes
        self.pooling = pooling
        self.classifierDropout = classifierDropout ?? encoder.hiddenDropout
    }

    enum CodingKeys: String, CodingKey {
        case encoder, classes, pooling, classifierDropout = "classifier_dropout"
    }

    /// Largest class count accepted.
    public static let maxClasses = 100_000

    public func validate() throws {
        try encoder.validate()
        guard classes >= 2, classes <= Self.maxClasses else {
            throw TransformerError.badInput("a classifier needs 2 … \(Self.maxClasses) classes, got \(classes)")
        }
        guard classifierDropout >= 0, classifierDropout < 1 else {
            throw TransformerError.badInput("the classifier dropout must be in [0, 1), got \(classifierDropout)")
        }
    }

    /// Tensor names as Hugging Face writes them (without the `bert.` prefix of the encoder), in
    /// the model's forward order. Within a layer the query, key and value weights are stored
    /// side by side (then their biases), so that the three projections run as one [3C, C] product.
    public var parameterLayout: TensorLayout {
        let e = encoder, C = e.hiddenSize, F = e.intermediateSize
        var t = TensorLayout()
        t.add(BertNames.wordEmbeddings, [e.vocabSize, C])
        t.add(BertNames.positionEmbeddings, [e.maxPositions, C])
        t.add(BertNames.tokenTypeEmbeddings, [e.typeVocabSize, C])
        t.add(BertNames.embeddingsNorm + ".weight", [C])
        t.add(BertNames.embeddingsNorm + ".bias", [C])
        for l in 0..<e.layers {
            let n = BertNames.Layer(l)
            for m in [n.query, n.key, n.value] { t.add(m + ".weight", [C, C]) }
            for m in [n.query, n.key, n.value] { t.add(m + ".bias", [C]) }
            t.add(n.attentionOutput + ".weight", [C, C]); t.add(n.attentionOutput + ".bias", [C])
            t.add(n.attentionNorm + ".weight", [C]); t.add(n.attentionNorm + ".bias", [C])
            t.add(n.intermediate + ".weight", [F, C]); t.add(n.intermediate + ".bias", [F])
            t.add(n.output + ".weight", [C, F]); t.add(n.output + ".bias", [C])
            t.add(n.outputNorm + ".weight", [C]); t.add(n.outputNorm + ".bias", [C])
        }
        t.add(BertNames.pooler + ".weight", [C, C]); t.add(BertNames.pooler + ".bias", [C])
        t.add(BertNames.classifier + ".weight", [classes, C]); t.add(BertNames.classifier + ".bias", [classes])
        return t
    }

    /// The linear layers (modules with a `.weight` matrix) in forward order: per encoder layer
    /// query, key, value, attention output, intermediate, output; then the pooler and the head.
    /// TempBalance takes its layers in this order.
    public var linearNames: [String] {
        var names: [String] = []
        for l in 0..<encoder.layers {
            let n = BertNames.Layer(l)
            names += [n.query, n.key, n.value, n.attentionOutput, n.intermediate, n.output]
        }
        return names + [BertNames.pooler, BertNames.classifier]
    }
}

/// Module names of a BERT model as Hugging Face's `BertModel` writes them.
public enum BertNames {
    public static let wordEmbeddings = "embeddings.word_embeddings.weight"
    public static let positionEmbeddings = "embeddings.position_embeddings.weight"
    public static let tokenTypeEmbeddings = "embeddings.token_type_embeddings.weight"
    public static let embeddingsNorm = "embeddings.LayerNorm"
    public static let pooler = "pooler.dense"
    /// The sequence-classification head (never prefixed with `bert.`).
    public static let classifier = "classifier"
    /// The prefix `BertFor…` models put before the encoder's tensors.
    public static let encoderPrefix = "bert."

    /// The modules of encoder layer l.
    public struct Layer: Sendable {
        public let prefix: String
        public init(_ l: Int) { prefix = "encoder.layer.\(l)" }
        public var query: String { prefix + ".attention.self.query" }
        public var key: String { prefix + ".attention.self.key" }
        public var value: String { prefix + ".attention.self.value" }
        public var attentionOutput: String { prefix + ".attention.output.dense" }
        public var attentionNorm: String { prefix + ".attention.output.LayerNorm" }
        public var intermediate: String { prefix + ".intermediate.dense" }
        public var output: String { prefix + ".output.dense" }
        public var outputNorm: String { prefix + ".output.LayerNorm" }
    }
}
