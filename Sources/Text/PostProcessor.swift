/// How special tokens and type ids wrap one sequence or a pair (`tokenizers`' `TemplateProcessing`;
/// `BertProcessing` is the template `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`).
public struct PostProcessor: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        /// Special token ids with their type id.
        case special(ids: [Int32], typeID: Int32)
        /// The first (A) or second (B) sequence, every token with `typeID`.
        case sequence(second: Bool, typeID: Int32)
    }

    public let single: [Piece]
    public let pair: [Piece]

    public init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// BERT's template: `[CLS]:0 A:0 [SEP]:0` and `[CLS]:0 A:0 [SEP]:0 B:1 [SEP]:1`.
    public static func bert(cls: Int32, sep: Int32) -> PostProcessor {
        PostProcessor(single: [.special(ids: [cls], typeID: 0), .sequence(second: false, typeID: 0), .special(ids: [sep], typeID: 0)],
                      pair: [.special(ids: [cls], typeID: 0), .sequence(second: false, typeID: 0), .special(ids: [sep], typeID: 0),
                             .sequence(second: true, typeID: 1), .special(ids: [sep], typeID: 1)])
    }

    /// No special tokens; the second sequence has type id 1 (`tokenizers` without a post-processor).
    public static let none = PostProcessor(single: [.sequence(second: false, typeID: 0)],
                                           pair: [.sequence(second: false, typeID: 0), .sequence(second: true, typeID: 1)])

    /// The number of special tokens added to a single sequence or a pair.
    public func specialCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { n, piece in
            if case .special(let ids, _) = piece { return n + ids.count }
            return n
        }
    }

    /// The final ids and type ids of `a` (and `b`).
    func apply(_ a: [Int32], _ b: [Int32]?) -> (ids: [Int32], typeIDs: [Int32]) {
        var ids: [Int32] = []
        var types: [Int32] = []
        ids.reserveCapacity(a.count + (b?.count ?? 0) + 4)
        types.reserveCapacity(ids.capacity)
        for piece in b == nil ? single : pair {
            switch piece {
            case .special(let s, let t):
                ids.append(contentsOf: s)
                types.append(contentsOf: repeatElement(t, count: s.count))
            case .sequence(let second, let t):
                let seq = second ? (b ?? []) : a
                ids.append(contentsOf: seq)
                types.append(contentsOf: repeatElement(t, count: seq.count))
            }
        }
        return (ids, types)
    }
}
