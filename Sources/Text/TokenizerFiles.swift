import Checkpoint
import Foundation

/// Loading a `BertTokenizer` from Hugging Face files.
///
/// - `tokenizer.json` (the `tokenizers` package's file): `normalizer` (`BertNormalizer` or null),
///   `pre_tokenizer` (`BertPreTokenizer`), `model` (`WordPiece`: `vocab`, `unk_token`,
///   `continuing_subword_prefix`, `max_input_chars_per_word`), `post_processor`
///   (`TemplateProcessing`, `BertProcessing` or null), `added_tokens`, `padding.pad_id`. Its
///   `truncation` and `padding` sections are not applied: callers choose lengths.
/// - Without it, `vocab.txt` (one token per line, id = line number, trailing whitespace trimmed) with
///   `tokenizer_config.json` (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`, the special
///   tokens, `added_tokens_decoder`) and `special_tokens_map.json` when present: the tokenizer
///   transformers' `BertTokenizerFast` builds from them.
extension BertTokenizer {
    /// Loads the tokenizer of a model folder: `tokenizer.json` if present, else `vocab.txt` (with
    /// `tokenizer_config.json` and `special_tokens_map.json` when present). `path` may also name a
    /// `tokenizer.json` or a vocabulary file directly.
    public init(folder path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TextError(.notFound, file: path, message: "no such folder or file")
        }
        guard isDirectory.boolValue else {
            if path.hasSuffix(".json") { try self.init(tokenizerJSON: path) } else { try self.init(vocabularyFile: path) }
            return
        }
        let folder = URL(fileURLWithPath: path)
        let json = folder.appendingPathComponent("tokenizer.json").path
        let vocab = folder.appendingPathComponent("vocab.txt").path
        if FileManager.default.fileExists(atPath: json) {
            try self.init(tokenizerJSON: json)
        } else if FileManager.default.fileExists(atPath: vocab) {
            try self.init(vocabularyFile: vocab)
        } else {
            throw TextError(.notFound, file: path, message: "no tokenizer.json or vocab.txt in the folder")
        }
    }

    /// Loads a `tokenizer.json`; `model_max_length` comes from a `tokenizer_config.json` beside it.
    /// The id table (a row per id up to the largest) is checked against `budget` first.
    public init(tokenizerJSON path: String, budget: MemoryBudget = .current) throws {
        let root = JSONFields(file: path, value: try TextFiles.parseJSON(try TextFiles.read(path), file: path))
        _ = try root.members  // the document must be an object

        // Model.
        let model = try root.required("model")
        if let type = try model.member("type"), try type.string != "WordPiece" {
            throw type.fail("model \(try type.string) is not supported (supported: WordPiece)", kind: .unsupportedTokenizer)
        }
        let vocabField = try model.required("vocab")
        var entries: [(token: String, id: Int32)] = []
        var seenTokens = Set<String>()
        var tokenOfID: [Int32: String] = [:]
        for (token, value) in try vocabField.members {
            let id = try value.id
            guard seenTokens.insert(token).inserted else { throw vocabField.fail("token \(JSONText.quoted(token)) appears twice") }
            if let other = tokenOfID.updateValue(token, forKey: id) {
                throw vocabField.fail("id \(id) is given to both \(JSONText.quoted(other)) and \(JSONText.quoted(token))")
            }
            entries.append((token, id))
        }
        guard !entries.isEmpty else { throw vocabField.fail("the vocabulary is empty") }
        // The id table has a row per id up to the largest: an id of 2³¹ − 1 alone would ask for 32 GiB.
        let idLimit = Int(entries.lazy.map(\.id).max()!) + 1
        do {
            try budget.check(MemoryBudget.bytes(idLimit, MemoryLayout<String?>.stride),
                                           for: "the id table of \(entries.count) tokens with ids up to \(idLimit - 1)")
        } catch let e as MemoryBudgetError {
            throw vocabField.fail(e.description)
        }
        let vocabulary = Vocabulary(entries)
        let unk = try model.member("unk_token")?.string ?? "[UNK]"
        guard let unkID = vocabulary.id(of: unk) else {
            throw TextError(.malformedTokenizer, file: path, message: "model.unk_token \(JSONText.quoted(unk)) is not in model.vocab")
        }
        let wordPiece = WordPiece(vocabulary: vocabulary, unknownToken: unk, unknownID: unkID,
                                  continuingSubwordPrefix: try model.member("continuing_subword_prefix")?.string ?? "##",
                                  maxInputCharsPerWord: try model.member("max_input_chars_per_word")?.count ?? 100)

        // Normalizer.
        var normalizer: BertNormalizer?
        if let n = try root.member("normalizer") {
            let type = try n.required("type")
            guard try type.string == "BertNormalizer" else {
                throw type.fail("normalizer \(try type.string) is not supported (supported: BertNormalizer, null)", kind: .unsupportedTokenizer)
            }
            normalizer = BertNormalizer(cleanText: try n.member("clean_text")?.bool ?? true,
                                        handleChineseChars: try n.member("handle_chinese_chars")?.bool ?? true,
                                        stripAccents: try n.member("strip_accents")?.bool,
                                        lowercase: try n.member("lowercase")?.bool ?? true)
        }

        // Pre-tokenizer.
        guard let pre = try root.member("pre_tokenizer") else {
            throw root.fail("pre_tokenizer null is not supported (supported: BertPreTokenizer)", kind: .unsupportedTokenizer)
        }
        let preType = try pre.required("type")
        guard try preType.string == "BertPreTokenizer" else {
            throw preType.fail("pre-tokenizer \(try preType.string) is not supported (supported: BertPreTokenizer)", kind: .unsupportedTokenizer)
        }

        // Added tokens.
        var added: [AddedToken] = []
        for t in try root.member("added_tokens")?.array ?? [] {
            let special = try t.member("special")?.bool ?? false
            let content = try t.required("content").string
            guard !content.isEmpty else { throw t.fail("content is empty") }
            added.append(AddedToken(content: content, id: try t.required("id").id, special: special,
                                    normalized: try t.member("normalized")?.bool ?? !special,
                                    singleWord: try t.member("single_word")?.bool ?? false,
                                    lstrip: try t.member("lstrip")?.bool ?? false,
                                    rstrip: try t.member("rstrip")?.bool ?? false))
        }

        // Post-processor.
        let post = try Self.postProcessor(try root.member("post_processor"))

        let padID = try root.member("padding")?.member("pad_id")?.id ?? vocabulary.id(of: "[PAD]") ?? 0
        let padTypeID = try root.member("padding")?.member("pad_type_id")?.id ?? 0
        let configPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tokenizer_config.json").path
        let maxLength = FileManager.default.fileExists(atPath: configPath) ? try Self.modelMaxLength(configPath) : nil
        self.init(normalizer: normalizer, wordPiece: wordPiece, addedTokens: added, postProcessor: post,
                  padID: padID, padTypeID: padTypeID, modelMaxLength: maxLength, source: path)
    }

    private static func postProcessor(_ field: JSONFields?) throws -> PostProcessor {
        guard let field else { return .none }
        let type = try field.required("type")
        switch try type.string {
        case "BertProcessing":
            func pair(_ key: String) throws -> Int32 {
                let a = try field.required(key).array
                guard a.count == 2 else { throw field.fail("\(key): expected [token, id]") }
                _ = try a[0].string
                return try a[1].id
            }
            return .bert(cls: try pair("cls"), sep: try pair("sep"))
        case "TemplateProcessing":
            var specials: [String: [Int32]] = [:]
            for (name, value) in try field.member("special_tokens")?.members ?? [] {
                specials[name] = try value.required("ids").array.map { try $0.id }
            }
            func template(_ key: String, pair: Bool) throws -> [PostProcessor.Piece] {
                try field.required(key).array.map { piece in
                    if let s = try piece.member("SpecialToken") {
                        let name = try s.required("id").string
                        guard let ids = specials[name] else {
                            throw s.fail("special token \(JSONText.quoted(name)) is not in post_processor.special_tokens")
                        }
                        return .special(ids: ids, typeID: try s.member("type_id")?.id ?? 0)
                    }
                    if let s = try piece.member("Sequence") {
                        let id = try s.required("id")
                        let name = try id.string
                        guard name == "A" || (pair && name == "B") else {
                            throw id.fail("expected \(pair ? "A or B" : "A"), found \(JSONText.quoted(name))")
                        }
                        return .sequence(second: name == "B", typeID: try s.member("type_id")?.id ?? 0)
                    }
                    throw piece.fail("expected {\"SpecialToken\": …} or {\"Sequence\": …}")
                }
            }
            return PostProcessor(single: try template("single", pair: false), pair: try template("pair", pair: true))
        case let other:
            throw type.fail("post-processor \(other) is not supported (supported: TemplateProcessing, BertProcessing, null)",
                            kind: .unsupportedTokenizer)
        }
    }

    /// `model_max_length` of a `tokenizer_config.json` (nil when absent or transformers' "no limit", ≥ 10¹²).
    private static func modelMaxLength(_ path: String) throws -> Int? {
        let config = JSONFields(file: path, value: try TextFiles.parseJSON(try TextFiles.read(path), file: path))
        guard let m = try config.member("model_max_length") else { return nil }
        guard let d = m.value.doubleValue, d >= 1 else { throw m.fail("expected a positive number, found \(m.value.typeName)") }
        return d < 1e12 ? Int(d) : nil
    }

    /// Loads a `vocab.txt` with the `tokenizer_config.json` and `special_tokens_map.json` beside it
    /// (each optional; BERT's defaults: lower-case, strip accents with it, split CJK, `[UNK]` `[CLS]`
    /// `[SEP]` `[PAD]` `[MASK]`).
    public init(vocabularyFile path: String) throws {
        let bytes = try TextFiles.read(path, what: "vocabulary file")
        var entries: [(token: String, id: Int32)] = []
        var lineStart = 0
        var index = 0
        while lineStart < bytes.count {
            var end = lineStart
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = bytes[lineStart..<end]
            guard let text = String(validating: line, as: UTF8.self) else {
                throw TextError(.malformedTokenizer, file: path, line: index + 1, message: "not valid UTF-8")
            }
            var scalars = Array(text.unicodeScalars)
            while let last = scalars.last, BertCharacters.isWhitespace(last.value) { scalars.removeLast() }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            guard index < Int(Int32.max) else { throw TextError(.malformedTokenizer, file: path, message: "more than 2³¹ lines") }
            entries.append((String(view), Int32(index)))
            index += 1
            lineStart = end + 1
        }
        guard !entries.isEmpty else { throw TextError(.malformedTokenizer, file: path, message: "the vocabulary is empty") }
        let vocabulary = Vocabulary(entries)

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let configPath = folder.appendingPathComponent("tokenizer_config.json").path
        let mapPath = folder.appendingPathComponent("special_tokens_map.json").path
        let config = FileManager.default.fileExists(atPath: configPath)
            ? JSONFields(file: configPath, value: try TextFiles.parseJSON(try TextFiles.read(configPath), file: configPath)) : nil
        let map = FileManager.default.fileExists(atPath: mapPath)
            ? JSONFields(file: mapPath, value: try TextFiles.parseJSON(try TextFiles.read(mapPath), file: mapPath)) : nil
        if let config { _ = try config.members }
        if let map { _ = try map.members }

        if let basic = try config?.member("do_basic_tokenize"), try !basic.bool {
            throw basic.fail("do_basic_tokenize false is not supported (BERT's basic tokenization is always applied)", kind: .unsupportedTokenizer)
        }
        let normalizer = BertNormalizer(cleanText: true,
                                        handleChineseChars: try config?.member("tokenize_chinese_chars")?.bool ?? true,
                                        stripAccents: try config?.member("strip_accents")?.bool,
                                        lowercase: try config?.member("do_lower_case")?.bool ?? true)

        /// A special token's text: tokenizer_config.json, else special_tokens_map.json, else the default.
        func special(_ key: String, _ fallback: String) throws -> String {
            if let c = try config?.member(key) { return try c.tokenContent }
            if let m = try map?.member(key) { return try m.tokenContent }
            return fallback
        }
        let unk = try special("unk_token", "[UNK]")
        guard let unkID = vocabulary.id(of: unk) else {
            throw TextError(.malformedTokenizer, file: path, message: "the unknown token \(JSONText.quoted(unk)) is not in the vocabulary")
        }
        let cls = try special("cls_token", "[CLS]"), sep = try special("sep_token", "[SEP]")
        guard let clsID = vocabulary.id(of: cls) else {
            throw TextError(.malformedTokenizer, file: path, message: "the classification token \(JSONText.quoted(cls)) is not in the vocabulary")
        }
        guard let sepID = vocabulary.id(of: sep) else {
            throw TextError(.malformedTokenizer, file: path, message: "the separator token \(JSONText.quoted(sep)) is not in the vocabulary")
        }
        let pad = try special("pad_token", "[PAD]")

        var added: [AddedToken] = []
        if let decoder = try config?.member("added_tokens_decoder") {
            for (key, t) in try decoder.members {
                guard let id = Int32(key), id >= 0 else { throw t.fail("expected a non-negative integer key") }
                let special = try t.member("special")?.bool ?? false
                added.append(AddedToken(content: try t.required("content").string, id: id, special: special,
                                        normalized: try t.member("normalized")?.bool ?? !special,
                                        singleWord: try t.member("single_word")?.bool ?? false,
                                        lstrip: try t.member("lstrip")?.bool ?? false, rstrip: try t.member("rstrip")?.bool ?? false))
            }
        } else {
            // transformers' order of special tokens; those missing from the vocabulary are left out.
            for content in [unk, sep, pad, cls, try special("mask_token", "[MASK]")] {
                if let id = vocabulary.id(of: content), !added.contains(where: { $0.content == content }) {
                    added.append(AddedToken(content: content, id: id))
                }
            }
        }
        let wordPiece = WordPiece(vocabulary: vocabulary, unknownToken: unk, unknownID: unkID,
                                  continuingSubwordPrefix: "##", maxInputCharsPerWord: 100)
        let maxLength = FileManager.default.fileExists(atPath: configPath) ? try Self.modelMaxLength(configPath) : nil
        self.init(normalizer: normalizer, wordPiece: wordPiece, addedTokens: added, postProcessor: .bert(cls: clsID, sep: sepID),
                  padID: vocabulary.id(of: pad) ?? 0, modelMaxLength: maxLength, source: path)
    }
}
