/// The WordPiece model: greedy longest-match-first segmentation of one word into vocabulary tokens.
///
/// At the start of the word the longest vocabulary token that is a prefix wins; every later piece
/// is the longest `continuingSubwordPrefix + piece` in the vocabulary. A word with a position
/// where nothing matches, or longer than `maxInputCharsPerWord` scalars, becomes the single
/// unknown token (as `tokenizers`' `WordPiece` and Google's BERT do).
public struct WordPiece: Sendable {
    public let vocabulary: Vocabulary
    public let unknownToken: String
    public let unknownID: Int32
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int

    private let trie: TokenTrie
    /// The trie node of `continuingSubwordPrefix` (-1: no continuation token exists).
    private let continuationRoot: Int32

    /// - Throws: nothing itself; the unknown token must be in the vocabulary (the loaders check it
    ///   and name the file), so this initializer takes its id.
    init(vocabulary: Vocabulary, unknownToken: String, unknownID: Int32, continuingSubwordPrefix: String,
         maxInputCharsPerWord: Int) {
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.unknownID = unknownID
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        let trie = TokenTrie(vocabulary.entries)
        self.trie = trie
        self.continuationRoot = continuingSubwordPrefix.isEmpty ? TokenTrie.root : trie.node(for: continuingSubwordPrefix)
    }

    /// Appends the ids of `word` (a non-empty run of scalars) to `out`.
    func appendIDs(_ word: ArraySlice<UInt32>, to out: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            out.append(unknownID)
            return
        }
        let mark = out.count
        var start = word.startIndex
        while start < word.endIndex {
            var node = start == word.startIndex ? TokenTrie.root : continuationRoot
            var matchEnd = -1
            var matchID: Int32 = -1
            var i = start
            while node >= 0 && i < word.endIndex {
                node = trie.child(node, word[i])
                i += 1
                if node >= 0 {
                    let id = trie.tokenID(node)
                    if id >= 0 { matchEnd = i; matchID = id }
                }
            }
            if matchEnd < 0 {
                out.removeSubrange(mark...)
                out.append(unknownID)
                return
            }
            out.append(matchID)
            start = matchEnd
        }
    }
}
