/// One encoded input: ids, type ids and attention mask, all of the same length.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32]
    /// Segment ids: 0 for the first sequence, 1 for the second (BERT's template).
    public var typeIDs: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]

    public init(ids: [Int32], typeIDs: [Int32], attentionMask: [Int32]) {
        precondition(ids.count == typeIDs.count && ids.count == attentionMask.count, "encoding arrays differ in length")
        self.ids = ids
        self.typeIDs = typeIDs
        self.attentionMask = attentionMask
    }

    public var count: Int { ids.count }
}

/// Encoded sequences padded to one length, as flat row-major arrays of shape `[count × length]`:
/// element `(row, position)` is at `row * length + position`.
public struct EncodedBatch: Sendable, Equatable {
    public enum Padding: Sendable, Equatable {
        /// To the longest sequence of the batch.
        case longest
        /// To the maximum length asked for.
        case fixed
    }

    /// Sequences (rows).
    public let count: Int
    /// Tokens per row.
    public let length: Int
    /// `[count × length]` token ids.
    public var ids: [Int32]
    /// `[count × length]` type ids.
    public var typeIDs: [Int32]
    /// `[count × length]`: 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// Real tokens in each row (the rest is padding).
    public var lengths: [Int]

    /// Pads `encodings` (none longer than `length`) into one batch.
    public init(_ encodings: [Encoding], length: Int, padID: Int32, padTypeID: Int32 = 0) {
        precondition(encodings.allSatisfy { $0.count <= length }, "an encoding is longer than the batch length")
        count = encodings.count
        self.length = length
        var ids = [Int32](repeating: padID, count: count * length)
        var types = [Int32](repeating: padTypeID, count: count * length)
        var mask = [Int32](repeating: 0, count: count * length)
        for (row, e) in encodings.enumerated() {
            let base = row * length
            for j in 0..<e.count {
                ids[base + j] = e.ids[j]
                types[base + j] = e.typeIDs[j]
                mask[base + j] = e.attentionMask[j]
            }
        }
        self.ids = ids
        self.typeIDs = types
        self.attentionMask = mask
        lengths = encodings.map(\.count)
    }
}
