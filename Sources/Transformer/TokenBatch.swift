/// B tokenised sequences padded to one length T: ids, token types and attention mask, each
/// [B, T] row-major (what a tokenizer's batch encoding gives: `input_ids`, `token_type_ids`,
/// `attention_mask`).
public struct TokenBatch: Sendable, Equatable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    /// 1 for a real token, 0 for padding.
    public var mask: [Int32]
    public var batch: Int
    public var length: Int

    public init(ids: [Int32], typeIds: [Int32]? = nil, mask: [Int32]? = nil, batch: Int, length: Int) {
        self.ids = ids
        self.typeIds = typeIds ?? Array(repeating: 0, count: ids.count)
        self.mask = mask ?? Array(repeating: 1, count: ids.count)
        self.batch = batch
        self.length = length
    }

    /// Pads sequences of token ids (and types) on the right with `pad` to the longest one.
    public init(sequences: [[Int32]], types: [[Int32]]? = nil, pad: Int32 = 0) {
        let T = max(1, sequences.map(\.count).max() ?? 1)
        var ids: [Int32] = [], typeIds: [Int32] = [], mask: [Int32] = []
        for (i, s) in sequences.enumerated() {
            let t = types?[i] ?? Array(repeating: 0, count: s.count)
            ids += s + Array(repeating: pad, count: T - s.count)
            typeIds += t + Array(repeating: 0, count: T - t.count)
            mask += Array(repeating: 1, count: s.count) + Array(repeating: 0, count: T - s.count)
        }
        self.init(ids: ids, typeIds: typeIds, mask: mask, batch: sequences.count, length: T)
    }

    /// Checks the batch against a model: sizes, ids < V, types < TV, mask 0/1 with at least one 1
    /// per sequence. The message names the first offending sequence and position.
    public func validate(vocabSize V: Int, typeVocabSize TV: Int, maxBatch: Int, maxLength: Int) throws {
        guard batch >= 1, length >= 1 else { throw TransformerError.badInput("an empty batch (\(batch) × \(length))") }
        guard batch <= maxBatch else { throw TransformerError.badInput("a batch of \(batch) sequences exceeds the model's maximum of \(maxBatch)") }
        guard length <= maxLength else { throw TransformerError.badInput("sequences of \(length) tokens exceed the maximum length \(maxLength)") }
        let n = batch * length
        guard ids.count == n, typeIds.count == n, mask.count == n else {
            throw TransformerError.badInput("a batch of \(batch) × \(length) needs \(n) ids, types and mask values (got \(ids.count), \(typeIds.count), \(mask.count))")
        }
        for b in 0..<batch {
            var any = false
            for t in 0..<length {
                let r = b * length + t
                guard ids[r] >= 0 && Int(ids[r]) < V else {
                    throw TransformerError.badInput("sequence \(b), position \(t): token id \(ids[r]) outside the vocabulary 0..<\(V)")
                }
                guard typeIds[r] >= 0 && Int(typeIds[r]) < TV else {
                    throw TransformerError.badInput("sequence \(b), position \(t): token type \(typeIds[r]) outside 0..<\(TV)")
                }
                guard mask[r] == 0 || mask[r] == 1 else {
                    throw TransformerError.badInput("sequence \(b), position \(t): attention mask \(mask[r]) is not 0 or 1")
                }
                if mask[r] == 1 { any = true }
            }
            guard any else { throw TransformerError.badInput("sequence \(b) has no unmasked token") }
        }
    }
}
