import Checkpoint
import Foundation
import Testing
@testable import Text

/// A small tokenizer.json as the `tokenizers` package writes one, with `edit` applied to its text.
func tinyTokenizerJSON(_ edit: (String) -> String = { $0 }) -> String {
    edit("""
    {"version":"1.0","truncation":null,"padding":null,
     "added_tokens":[{"id":0,"content":"[PAD]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                     {"id":1,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                     {"id":2,"content":"[CLS]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                     {"id":3,"content":"[SEP]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
     "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
     "pre_tokenizer":{"type":"BertPreTokenizer"},
     "post_processor":{"type":"TemplateProcessing",
        "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],
        "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},
                {"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],
        "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
     "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
     "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
              "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"un":4,"##aff":5,"##able":6,"a":7,"!":8,"##a":9,"aff":10}}}
    """)
}

@Suite struct TokenizerTests {
    @Test func wordPieceIsGreedyLongestMatchFirst() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let tok = try BertTokenizer(tokenizerJSON: try s.write("tokenizer.json", tinyTokenizerJSON()))
        #expect(tok.tokens("UNAFFABLE!") == ["un", "##aff", "##able", "!"])
        #expect(tok.tokenIDs("unaffx") == [1])               // no piece for "x": the whole word is [UNK]
        #expect(tok.tokenIDs("aaa") == [7, 9, 9])
        #expect(tok.tokenIDs("") == [])
        #expect(tok.tokenIDs("[CLS]a") == [2, 7])            // special tokens in the text are matched
        #expect(try tok.encode("a", pair: "un").ids == [2, 7, 3, 4, 3])
        #expect(try tok.encode("a", pair: "un").typeIDs == [0, 0, 0, 1, 1])
        #expect(tok.idLimit == 11)
        #expect(tok.tokenIDs(String(repeating: "a", count: 100)).count == 100)
        #expect(tok.tokenIDs(String(repeating: "a", count: 101)) == [1])
    }

    @Test func truncationIsLongestFirst() {
        func cut(_ n1: Int, _ n2: Int?, _ m: Int) -> (Int, Int?) {
            var a = [Int32](repeating: 1, count: n1)
            var b = n2.map { [Int32](repeating: 2, count: $0) }
            BertTokenizer.truncate(&a, &b, to: m)
            return (a.count, b?.count)
        }
        #expect(cut(10, nil, 4) == (4, nil))
        #expect(cut(3, 10, 8) == (3, 5))     // only the longer is cut
        #expect(cut(10, 3, 8) == (5, 3))
        #expect(cut(10, 10, 7) == (3, 4))    // both: the extra one to the second on a tie
        #expect(cut(11, 10, 7) == (4, 3))    // … to the longer otherwise
        #expect(cut(2, 2, 4) == (2, 2))
        #expect(cut(0, 9, 0) == (0, 0))
    }

    @Test func paddingAndBatches() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let tok = try BertTokenizer(tokenizerJSON: try s.write("tokenizer.json", tinyTokenizerJSON()))
        let e = try tok.encode("a a", padTo: 6)
        #expect(e.ids == [2, 7, 7, 3, 0, 0] && e.attentionMask == [1, 1, 1, 1, 0, 0] && e.typeIDs == [0, 0, 0, 0, 0, 0])
        let batch = try tok.encodeBatch(["a", "a a a a a a"], pairs: ["un", "un"], maxLength: 6)
        #expect(batch.count == 2 && batch.length == 6 && batch.lengths == [5, 6])
        #expect(batch.ids == [2, 7, 3, 4, 3, 0, /**/ 2, 7, 7, 3, 4, 3])
        #expect(batch.typeIDs == [0, 0, 0, 1, 1, 0, /**/ 0, 0, 0, 0, 1, 1])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 0, /**/ 1, 1, 1, 1, 1, 1])
        let fixed = try tok.encodeBatch(["a"], maxLength: 5, padding: .fixed)
        #expect(fixed.ids == [2, 7, 3, 0, 0])
        #expect(throws: TextError.self) { try tok.encodeBatch(["a"], pairs: [], maxLength: 5) }
        let tooShort = #expect(throws: TextError.self) { try tok.encode("a", pair: "b", maxLength: 2) }
        #expect(tooShort?.kind == .invalidArgument)
        #expect(try tok.encode("a a a", maxLength: 2).ids == [2, 3])
    }

    /// Every malformed tokenizer.json is a one-line error naming the file and the field.
    @Test func malformedTokenizerJSON() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let cases: [(String, (String) -> String, String)] = [
            ("not JSON", { _ in "{\"model\": " }, "not valid JSON"),
            ("an array", { _ in "[1, 2]" }, "expected an object, found an array"),
            ("no model", { $0.replacingOccurrences(of: "\"model\":", with: "\"modle\":") }, "missing field model"),
            ("vocab an array", { $0.replacingOccurrences(of: "\"vocab\":{", with: "\"vocab\":[{").replacingOccurrences(of: "\"aff\":10}}}", with: "\"aff\":10}]}}") }, "model.vocab: expected an object, found an array"),
            ("id a string", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":\"4\"") }, "model.vocab.un: expected a non-negative integer"),
            ("negative id", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":-4") }, "model.vocab.un"),
            ("fractional id", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":4.5") }, "model.vocab.un"),
            ("huge id", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":99999999999999999999") }, "model.vocab.un"),
            // Valid JSON, but the id table up to 2³¹ − 2 would take 32 GiB, more than the budget.
            ("id near 2^31", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":2147483646") }, "model.vocab: the id table of 11 tokens with ids up to 2147483646 needs 32 GiB"),
            ("duplicate id", { $0.replacingOccurrences(of: "\"un\":4", with: "\"un\":5") }, "id 5 is given to both"),
            ("duplicate token", { $0.replacingOccurrences(of: "\"aff\":10", with: "\"aff\":10,\"aff\":11") }, "token \"aff\" appears twice"),
            ("no [UNK]", { $0.replacingOccurrences(of: "\"[UNK]\":1,", with: "") }, "model.unk_token \"[UNK]\" is not in model.vocab"),
            ("unk a number", { $0.replacingOccurrences(of: "\"unk_token\":\"[UNK]\"", with: "\"unk_token\":1") }, "model.unk_token: expected a string"),
            ("BPE", { $0.replacingOccurrences(of: "\"type\":\"WordPiece\",\"unk", with: "\"type\":\"BPE\",\"unk") }, "model BPE is not supported"),
            ("lowercase a string", { $0.replacingOccurrences(of: "\"lowercase\":true", with: "\"lowercase\":\"yes\"") }, "normalizer.lowercase: expected true or false, found a string"),
            ("normalizer type", { $0.replacingOccurrences(of: "\"BertNormalizer\"", with: "\"NFKC\"") }, "normalizer NFKC is not supported"),
            ("no pre-tokenizer", { $0.replacingOccurrences(of: "{\"type\":\"BertPreTokenizer\"}", with: "null") }, "pre_tokenizer null is not supported"),
            ("pre-tokenizer type", { $0.replacingOccurrences(of: "BertPreTokenizer", with: "Whitespace") }, "pre-tokenizer Whitespace"),
            ("template unknown special", { $0.replacingOccurrences(of: "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\"", with: "\"single\":[{\"SpecialToken\":{\"id\":\"[BOS]\"") }, "special token \"[BOS]\" is not in post_processor.special_tokens"),
            ("template sequence C", { $0.replacingOccurrences(of: "{\"Sequence\":{\"id\":\"B\"", with: "{\"Sequence\":{\"id\":\"C\"") }, "post_processor.pair[3].Sequence.id: expected A or B"),
            ("processor type", { $0.replacingOccurrences(of: "TemplateProcessing", with: "RobertaProcessing") }, "post-processor RobertaProcessing is not supported"),
            ("special ids strings", { $0.replacingOccurrences(of: "\"ids\":[2]", with: "\"ids\":[\"2\"]") }, "post_processor.special_tokens.[CLS].ids[0]"),
            ("added content number", { $0.replacingOccurrences(of: "\"content\":\"[PAD]\"", with: "\"content\":0") }, "added_tokens[0].content: expected a string, found a number"),
            ("added tokens object", { $0.replacingOccurrences(of: "\"added_tokens\":[", with: "\"added_tokens\":{\"x\":[").replacingOccurrences(of: "\"special\":true}],\n \"normalizer\"", with: "\"special\":true}]},\n \"normalizer\"") }, "added_tokens: expected an array, found an object"),
            ("max chars negative", { $0.replacingOccurrences(of: "\"max_input_chars_per_word\":100", with: "\"max_input_chars_per_word\":-1") }, "model.max_input_chars_per_word"),
            ("empty vocab", { $0.replacing(#/"vocab":\{[^}]*\}/#, with: "\"vocab\":{}") }, "model.vocab: the vocabulary is empty"),
            ("invalid UTF-8", { $0 }, "not valid JSON: invalid UTF-8 at byte"),
        ]
        for (name, edit, expected) in cases {
            let path = try s.write("\(name).json", name == "invalid UTF-8" ? Array(tinyTokenizerJSON().utf8) + [0xFF] : Array(tinyTokenizerJSON(edit).utf8))
            let error = #expect(throws: TextError.self, "\(name)") { try BertTokenizer(tokenizerJSON: path, budget: MemoryBudget(bytes: 1 << 30)) }
            #expect(error?.description.hasPrefix(path + ": ") == true, "\(name): \(error?.description ?? "")")
            #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "")")
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test func vocabularyFiles() throws {
        let s = try Scratch(); defer { s.cleanup() }
        // BERT's defaults without tokenizer_config.json: lower-case, strip accents.
        let vocab = try s.write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncafe\nun  \n##aff\r\n")
        let tok = try BertTokenizer(folder: s.url.path)
        #expect(tok.tokenIDs("CAFÉ unaff [MASK]") == [5, 6, 7, 4])
        #expect(tok.modelMaxLength == nil)
        // A cased configuration and renamed special tokens.
        try s.write("tokenizer_config.json", #"{"do_lower_case": false, "unk_token": {"content": "[UNK]", "__type": "AddedToken"}, "model_max_length": 1000000000000000019884624838656}"#)
        let cased = try BertTokenizer(vocabularyFile: vocab)
        #expect(cased.tokenIDs("CAFÉ cafe") == [1, 5])
        #expect(cased.normalizer == BertNormalizer(lowercase: false))
        #expect(cased.modelMaxLength == nil)

        let cases: [(String, [UInt8], String)] = [
            ("no [UNK]", Array("[PAD]\n[CLS]\n[SEP]\nx\n".utf8), "the unknown token \"[UNK]\" is not in the vocabulary"),
            ("no [SEP]", Array("[PAD]\n[UNK]\n[CLS]\nx\n".utf8), "the separator token \"[SEP]\" is not in the vocabulary"),
            ("empty", [], "the vocabulary is empty"),
            ("bad UTF-8", Array("[UNK]\n[CLS]\n".utf8) + [0xC3, 0x28, 0x0A], "line 3: not valid UTF-8"),
        ]
        for (name, bytes, expected) in cases {
            let dir = s.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("vocab.txt").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: TextError.self, "\(name)") { try BertTokenizer(folder: dir.path) }
            #expect(error?.description == "\(path): \(expected)", "\(name)")
        }
        try s.write("tokenizer_config.json", #"{"do_lower_case": "no"}"#)
        let wrongType = #expect(throws: TextError.self) { try BertTokenizer(vocabularyFile: vocab) }
        #expect(wrongType?.description == s.path("tokenizer_config.json") + ": do_lower_case: expected true or false, found a string")
        #expect(throws: TextError.self) { try BertTokenizer(folder: s.path("missing")) }
        let empty = try s.write("empty/x", "")
        #expect(throws: TextError.self) { try BertTokenizer(folder: URL(fileURLWithPath: empty).deletingLastPathComponent().path) }
    }

    /// Normalizer details that the fixture covers too, spelled out.
    @Test func normalizer() {
        let bert = BertNormalizer()
        #expect(bert.normalize("Héllo\u{0}\u{FFFD}\u{200B}\tWörld\u{3000}北京") == "hello world  北  京 ")
        #expect(BertNormalizer(lowercase: false).normalize("Ǆ") == "Ǆ")
        #expect(bert.normalize("İ") == "i")                         // strip first, then lower-case
        #expect(BertNormalizer(stripAccents: false).normalize("İ") == "i\u{307}")
        #expect(bert.normalize("\u{1885}") == "\u{1885}")           // Mn since Unicode 9.0: kept by tokenizers
        #expect(bert.normalize("\u{1734}") == "")                   // Mn in Unicode 8.0, Mc now: stripped
        #expect(bert.normalize("\u{0378}\u{E000}") == "\u{0378}")   // unassigned kept, private use dropped
    }
}
