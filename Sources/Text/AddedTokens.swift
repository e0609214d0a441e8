/// A token matched in the text before WordPiece (`tokenizers`' `AddedToken`): the special tokens
/// (`[CLS]`, `[SEP]`, ...) and any tokens added to a vocabulary.
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var id: Int32
    public var special: Bool
    /// Matched in the normalized text (true) or the raw text (false).
    public var normalized: Bool
    /// Matched only when neither neighbour is a word character (`\w`).
    public var singleWord: Bool
    /// Also takes the whitespace on its left / right.
    public var lstrip: Bool
    public var rstrip: Bool

    public init(content: String, id: Int32, special: Bool = true, normalized: Bool = false,
                singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.normalized = normalized
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
    }
}

/// Finds added tokens in a text as `tokenizers`' `AddedVocabulary.find_matches` does: the leftmost,
/// then longest, pattern; matching resumes after it. A `singleWord` match inside a word is dropped
/// (still consumed), `lstrip`/`rstrip` widen a match over neighbouring whitespace.
struct AddedTokenMatcher: Sendable {
    private struct Pattern: Sendable {
        var scalars: [UInt32]
        var token: AddedToken
    }
    /// Patterns by first scalar, longest first.
    private let byFirst: [UInt32: [Pattern]]

    var isEmpty: Bool { byFirst.isEmpty }

    /// `patterns`: each token with the scalars to look for (its content, or its normalized content).
    init(_ patterns: [(scalars: [UInt32], token: AddedToken)]) {
        var map: [UInt32: [Pattern]] = [:]
        for p in patterns where !p.scalars.isEmpty {
            map[p.scalars[0], default: []].append(Pattern(scalars: p.scalars, token: p.token))
        }
        for key in map.keys { map[key]!.sort { $0.scalars.count > $1.scalars.count } }
        byFirst = map
    }

    enum Piece {
        case text(Range<Int>)
        case token(Int32)
    }

    /// `s` cut into text ranges and matched tokens, in order (an empty `s` gives one empty range).
    func split(_ s: ArraySlice<UInt32>) -> [Piece] {
        var pieces: [Piece] = []
        var offset = s.startIndex        // end of the last kept match
        var i = s.startIndex
        while i < s.endIndex {
            guard let candidates = byFirst[s[i]],
                  let p = candidates.first(where: { i + $0.scalars.count <= s.endIndex && s[i..<(i + $0.scalars.count)].elementsEqual($0.scalars) })
            else { i += 1; continue }
            var start = i
            var stop = i + p.scalars.count
            i = stop
            let t = p.token
            if t.singleWord {
                let startOK = start == s.startIndex || !Self.isWordCharacter(s[start - 1])
                let stopOK = stop == s.endIndex || !Self.isWordCharacter(s[stop])
                if !startOK || !stopOK { continue }
            }
            if t.lstrip {
                var j = start
                while j > s.startIndex && BertCharacters.isWhitespace(s[j - 1]) { j -= 1 }
                start = max(j, offset)
            }
            if t.rstrip {
                while stop < s.endIndex && BertCharacters.isWhitespace(s[stop]) { stop += 1 }
            }
            if offset < start { pieces.append(.text(offset..<start)) }
            pieces.append(.token(t.id))
            offset = stop
        }
        if offset < s.endIndex || pieces.isEmpty { pieces.append(.text(offset..<s.endIndex)) }
        return pieces
    }

    /// `\w` of Rust's regex crate: Alphabetic, marks, decimal digits, connector punctuation, Join_Control.
    static func isWordCharacter(_ v: UInt32) -> Bool {
        if v < 128 {
            return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95
        }
        let p = Unicode.Scalar(v)!.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
