/// A data set tokenized once, so that training epochs only gather and pad.
public struct EncodedTexts: Sendable, Equatable {
    /// One encoding per example (special tokens included, truncated to `maxLength`, not padded).
    public let encodings: [Encoding]
    public let labels: [Int32]
    public let maxLength: Int
    public let padID: Int32
    public let padTypeID: Int32

    /// Tokenizes every example of `data` (and its second text) with `tokenizer`, truncated to `maxLength`.
    public init(_ data: TextDataset, tokenizer: BertTokenizer, maxLength: Int) throws {
        encodings = try data.texts.indices.map { i in
            try tokenizer.encode(data.texts[i], pair: data.secondTexts?[i], maxLength: maxLength)
        }
        labels = data.labels.map { Int32($0) }
        self.maxLength = maxLength
        padID = tokenizer.padID
        padTypeID = tokenizer.padTypeID
    }

    public var count: Int { encodings.count }

    /// The examples at `indices` as one padded batch with their labels.
    public func batch(_ indices: some Collection<Int>, padding: EncodedBatch.Padding = .longest) -> LabeledBatch {
        let chosen = indices.map { encodings[$0] }
        let length = padding == .fixed ? maxLength : (chosen.map(\.count).max() ?? 0)
        return LabeledBatch(inputs: EncodedBatch(chosen, length: length, padID: padID, padTypeID: padTypeID),
                            labels: indices.map { labels[$0] })
    }
}

/// Model inputs and their class ids.
public struct LabeledBatch: Sendable, Equatable {
    public var inputs: EncodedBatch
    /// `[inputs.count]` class ids.
    public var labels: [Int32]
}
