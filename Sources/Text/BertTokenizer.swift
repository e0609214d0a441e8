import Settings

/// A BERT WordPiece tokenizer that gives the ids the `tokenizers` package gives.
///
/// Pipeline (as `tokenizers`' `Tokenizer.encode`): added tokens that match the raw text are cut out
/// → each remaining piece is normalized (`BertNormalizer`) → added tokens that match the normalized
/// text are cut out → the rest is pre-tokenized (split on whitespace, every punctuation character a
/// word; `BertPreTokenizer`) → each word goes through `WordPiece` → truncation → special tokens and
/// type ids from the `PostProcessor` → padding.
///
/// Load one with `BertTokenizer(folder:)` (`tokenizer.json`, else `vocab.txt` + `tokenizer_config.json`).
/// A value type, immutable and `Sendable`: encode from any number of threads.
public struct BertTokenizer: Sendable {
    /// nil: no normalization (a `tokenizer.json` with `"normalizer": null`).
    public let normalizer: BertNormalizer?
    public let wordPiece: WordPiece
    public let addedTokens: [AddedToken]
    public let postProcessor: PostProcessor
    /// The id and type id that pad a sequence (attention mask 0).
    public let padID: Int32
    public let padTypeID: Int32
    /// The longest input the model takes, when the files say (`model_max_length`); informative.
    public let modelMaxLength: Int?
    /// The file the configuration came from (for messages).
    public let source: String

    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    public init(normalizer: BertNormalizer?, wordPiece: WordPiece, addedTokens: [AddedToken], postProcessor: PostProcessor,
                padID: Int32, padTypeID: Int32 = 0, modelMaxLength: Int? = nil, source: String) {
        self.normalizer = normalizer
        self.wordPiece = wordPiece
        self.addedTokens = addedTokens
        self.postProcessor = postProcessor
        self.padID = padID
        self.padTypeID = padTypeID
        self.modelMaxLength = modelMaxLength
        self.source = source
        rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized }.map { (Array($0.content.unicodeScalars.map(\.value)), $0) })
        normalizedMatcher = AddedTokenMatcher(addedTokens.filter(\.normalized).map { token in
            var pattern: [UInt32] = []
            let scalars = token.content.unicodeScalars.map(\.value)
            if let normalizer { normalizer.normalize(scalars[...], into: &pattern) } else { pattern = scalars }
            return (pattern, token)
        })
    }

    /// The vocabulary (added tokens outside it are in `addedTokens`).
    public var vocabulary: Vocabulary { wordPiece.vocabulary }

    /// The number of embedding rows the ids need: one more than the largest id.
    public var idLimit: Int { max(vocabulary.idLimit, (addedTokens.map { Int($0.id) }.max() ?? -1) + 1) }

    // MARK: Tokens of one text

    /// The token ids of `text` without special tokens, truncation or padding.
    public func tokenIDs(_ text: String) -> [Int32] {
        var out: [Int32] = []
        appendTokenIDs(TextDecoding.scalars(text)[...], to: &out)
        return out
    }

    /// The token strings of `text` (for reading; the ids are what models take).
    public func tokens(_ text: String) -> [String] {
        tokenIDs(text).map { id in
            addedTokens.first(where: { $0.id == id })?.content ?? vocabulary.token(for: id) ?? wordPiece.unknownToken
        }
    }

    func appendTokenIDs(_ scalars: ArraySlice<UInt32>, to out: inout [Int32]) {
        if rawMatcher.isEmpty {
            appendNormalizedPiece(scalars, to: &out)
            return
        }
        for piece in rawMatcher.split(scalars) {
            switch piece {
            case .token(let id): out.append(id)
            case .text(let range): appendNormalizedPiece(scalars[range], to: &out)
            }
        }
    }

    private func appendNormalizedPiece(_ scalars: ArraySlice<UInt32>, to out: inout [Int32]) {
        guard !scalars.isEmpty else { return }
        var normalized: [UInt32] = []
        if let normalizer {
            normalized.reserveCapacity(scalars.count + 8)
            normalizer.normalize(scalars, into: &normalized)
        } else {
            normalized = Array(scalars)
        }
        if normalizedMatcher.isEmpty {
            appendPreTokenized(normalized[...], to: &out)
            return
        }
        for piece in normalizedMatcher.split(normalized[...]) {
            switch piece {
            case .token(let id): out.append(id)
            case .text(let range): appendPreTokenized(normalized[range], to: &out)
            }
        }
    }

    /// BERT pre-tokenization (whitespace removed, punctuation isolated), then WordPiece per word.
    private func appendPreTokenized(_ s: ArraySlice<UInt32>, to out: inout [Int32]) {
        var wordStart = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            let v = s[i]
            if v < 128 && !BertCharacters.isASCIISeparator(v) {
                i += 1
                continue
            }
            if BertCharacters.isWhitespace(v) {
                if wordStart < i { wordPiece.appendIDs(s[wordStart..<i], to: &out) }
                wordStart = i + 1
            } else if BertCharacters.isPunctuation(v) {
                if wordStart < i { wordPiece.appendIDs(s[wordStart..<i], to: &out) }
                wordPiece.appendIDs(s[i...i], to: &out)
                wordStart = i + 1
            }
            i += 1
        }
        if wordStart < s.endIndex { wordPiece.appendIDs(s[wordStart..<s.endIndex], to: &out) }
    }

    // MARK: Model inputs

    /// `text` (and `pair`) as model input: special tokens, type ids, an attention mask of ones.
    ///
    /// - Parameters:
    ///   - maxLength: truncate so the result, special tokens included, has at most this many tokens;
    ///     a pair is truncated `longest_first` as `tokenizers` does it (the longer sequence first;
    ///     when both must be cut they get `(m / 2, m / 2 + m % 2)` tokens, the extra one to the
    ///     longer, or to the second on a tie, where m is `maxLength` minus the special tokens).
    ///   - padTo: pad with `padID` (type `padTypeID`, mask 0) up to this length.
    /// - Throws: `TextError.invalidArgument` when `maxLength` is smaller than the special tokens.
    public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil, padTo: Int? = nil) throws -> Encoding {
        let a = tokenIDs(text)
        let b = pair.map(tokenIDs)
        return try encode(tokenIDs: a, pair: b, maxLength: maxLength, padTo: padTo)
    }

    /// Truncation, special tokens and padding around token ids from `tokenIDs(_:)`.
    public func encode(tokenIDs a: [Int32], pair b: [Int32]?, maxLength: Int? = nil, padTo: Int? = nil) throws -> Encoding {
        var a = a, b = b
        if let maxLength {
            let specials = postProcessor.specialCount(pair: b != nil)
            guard maxLength >= specials else {
                throw TextError(.invalidArgument, file: source,
                                message: "maximum length \(maxLength) is smaller than the \(specials) special tokens of a \(b == nil ? "single sequence" : "pair")")
            }
            Self.truncate(&a, &b, to: maxLength - specials)
        }
        var (ids, types) = postProcessor.apply(a, b)
        var mask = [Int32](repeating: 1, count: ids.count)
        if let padTo, padTo > ids.count {
            let n = padTo - ids.count
            ids.append(contentsOf: repeatElement(padID, count: n))
            types.append(contentsOf: repeatElement(padTypeID, count: n))
            mask.append(contentsOf: repeatElement(0, count: n))
        }
        return Encoding(ids: ids, typeIDs: types, attentionMask: mask)
    }

    /// `tokenizers`' `truncate_encodings` with the `LongestFirst` strategy, to `m` tokens in all.
    static func truncate(_ a: inout [Int32], _ b: inout [Int32]?, to m: Int) {
        guard var second = b else {
            if a.count > m { a.removeSubrange(m...) }
            return
        }
        guard a.count + second.count > m else { return }
        var n1 = a.count, n2 = second.count
        let swap = n1 > n2
        if swap { Swift.swap(&n1, &n2) }
        n2 = n1 > m ? n1 : max(n1, m - n1)
        if n1 + n2 > m {
            n1 = m / 2
            n2 = n1 + m % 2
        }
        if swap { Swift.swap(&n1, &n2) }
        if a.count > n1 { a.removeSubrange(n1...) }
        if second.count > n2 { second.removeSubrange(n2...) }
        b = second
    }

    /// A batch as flat row-major `[count × length]` arrays for the model.
    ///
    /// - Parameters:
    ///   - pairs: the second texts (same count as `texts`), or nil.
    ///   - maxLength: truncation, special tokens included (required: a batch must have a bound).
    ///   - padding: `.longest` pads to the longest sequence of this batch, `.fixed` to `maxLength`.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, maxLength: Int,
                            padding: EncodedBatch.Padding = .longest) throws -> EncodedBatch {
        if let pairs, pairs.count != texts.count {
            throw TextError(.invalidArgument, file: source, message: "\(texts.count) texts but \(pairs.count) second texts")
        }
        let encodings = try texts.indices.map { i in try encode(texts[i], pair: pairs?[i], maxLength: maxLength) }
        return EncodedBatch(encodings, length: padding == .fixed ? maxLength : (encodings.map(\.count).max() ?? 0), padID: padID, padTypeID: padTypeID)
    }
}

extension BertTokenizer {
    /// The documented range of a requested maximum length (special tokens included): at least the
    /// two special tokens of a single text, at most 2³⁰ (longer than any line read in one piece).
    public static let maxLengthRange = SettingRange<Int>(2, 1 << 30)

    /// Checks a requested maximum length before any text is read: within `maxLengthRange`, and
    /// for sentence pairs at least their three special tokens.
    /// - Throws: `InvalidSetting` naming `max_length`.
    public static func checkMaxLength(_ maxLength: Int?, pair: Bool) throws {
        guard let maxLength else { return }
        try maxLengthRange.check(maxLength, "max_length")
        try InvalidSetting.require(!pair || maxLength >= 3, "max_length", maxLength,
                                   "at least 3 for sentence pairs ([CLS] and two [SEP])")
    }
}
