/// A WordPiece vocabulary: each token string and its id.
///
/// Ids need not be contiguous (a `tokenizer.json` may skip some); `token(for:)` is nil for a gap.
public struct Vocabulary: Sendable {
    private let idsByToken: [String: Int32]
    private let tokensByID: [String?]

    /// The number of tokens.
    public var count: Int { idsByToken.count }
    /// One more than the largest id (the embedding rows a model needs).
    public var idLimit: Int { tokensByID.count }

    /// A vocabulary from `(token, id)` pairs; a token given twice keeps its last id (as `tokenizers`
    /// reads `vocab.txt`). Ids must be non-negative; the caller checks duplicates it cares about.
    public init(_ entries: [(token: String, id: Int32)]) {
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(entries.count)
        var limit = 0
        for e in entries {
            precondition(e.id >= 0, "negative token id")
            ids[e.token] = e.id
            limit = max(limit, Int(e.id) + 1)
        }
        var tokens = [String?](repeating: nil, count: limit)
        for (token, id) in ids { tokens[Int(id)] = token }
        idsByToken = ids
        tokensByID = tokens
    }

    /// The id of `token`, or nil.
    public func id(of token: String) -> Int32? { idsByToken[token] }

    /// The token with `id`, or nil.
    public func token(for id: Int32) -> String? {
        guard id >= 0, Int(id) < tokensByID.count else { return nil }
        return tokensByID[Int(id)]
    }

    /// Every `(token, id)` pair, in id order.
    public var entries: [(token: String, id: Int32)] {
        tokensByID.enumerated().compactMap { i, t in t.map { ($0, Int32(i)) } }
    }
}
