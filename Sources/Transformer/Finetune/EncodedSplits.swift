/// One tokenized, labelled example: ids with the tokenizer's special tokens ([CLS] … [SEP]),
/// token types (0, or 1 for the second text of a pair), the class index.
public struct EncodedExample: Sendable, Equatable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var label: Int32

    public init(ids: [Int32], typeIds: [Int32]? = nil, label: Int32) {
        self.ids = ids
        self.typeIds = typeIds ?? Array(repeating: 0, count: ids.count)
        self.label = label
    }
}

/// A text-classification task after tokenization — what fine-tuning consumes, whoever read and
/// tokenized the text: class names, the training subset, the validation split the best epoch is
/// chosen on, and the test split (used once, on the chosen weights).
public struct EncodedSplits: Sendable {
    public var name: String
    public var classNames: [String]
    public var train: [EncodedExample]
    public var validation: [EncodedExample]
    public var test: [EncodedExample]
    /// The id that pads sequences to the longest of a batch (masked; its value does not matter).
    public var padId: Int32

    public init(name: String, classNames: [String], train: [EncodedExample], validation: [EncodedExample],
                test: [EncodedExample], padId: Int32 = 0) {
        self.name = name; self.classNames = classNames
        self.train = train; self.validation = validation; self.test = test; self.padId = padId
    }

    /// Checks the splits against a model: at least two classes, non-empty training and validation
    /// splits, labels in range, sequences of 1 … maxLength tokens, ids below `vocabSize` and token
    /// types below `typeVocabSize`.
    public func validate(maxLength: Int, vocabSize: Int, typeVocabSize: Int) throws {
        guard classNames.count >= 2 else { throw TransformerError.badInput("\(name): a classifier needs at least two classes, found \(classNames.count)") }
        guard !train.isEmpty else { throw TransformerError.badInput("\(name): the training subset is empty") }
        guard !validation.isEmpty else { throw TransformerError.badInput("\(name): the validation split is empty") }
        for (split, examples) in [("training", train), ("validation", validation), ("test", test)] {
            for (i, e) in examples.enumerated() {
                guard e.label >= 0, Int(e.label) < classNames.count else {
                    throw TransformerError.badInput("\(name): \(split) example \(i) has label \(e.label), outside 0..<\(classNames.count)")
                }
                guard !e.ids.isEmpty, e.ids.count <= maxLength, e.typeIds.count == e.ids.count else {
                    throw TransformerError.badInput("\(name): \(split) example \(i) has \(e.ids.count) tokens (and \(e.typeIds.count) types); 1 … \(maxLength) are allowed")
                }
                if let id = e.ids.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
                    throw TransformerError.badInput("\(name): \(split) example \(i) has token id \(id), outside the model's vocabulary 0..<\(vocabSize)")
                }
                if let t = e.typeIds.first(where: { $0 < 0 || Int($0) >= typeVocabSize }) {
                    throw TransformerError.badInput("\(name): \(split) example \(i) has token type \(t) but the model's type_vocab_size is \(typeVocabSize)\(t == 1 ? " (sentence pairs need 2)" : "")")
                }
            }
        }
    }

    /// The batch of examples `indices` of `examples`, padded on the right to the longest.
    func batch(_ examples: [EncodedExample], _ indices: ArraySlice<Int>) -> (TokenBatch, [Int32]) {
        let b = TokenBatch(sequences: indices.map { examples[$0].ids }, types: indices.map { examples[$0].typeIds }, pad: padId)
        return (b, indices.map { examples[$0].label })
    }
}
