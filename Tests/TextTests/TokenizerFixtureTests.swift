import Checkpoint
import Foundation
import Testing
@testable import Text

/// Exact ids against the `tokenizers` package (fixtures/tokenizer/minilm-wordpiece.json, written by
/// Scripts/make-tokenizer-fixture.py from real R8 / election-tweet / 20 Newsgroups sentences, edits
/// of them, pairs and truncation cases, in six normalizer / added-token configurations).
@Suite struct TokenizerFixtureTests {
    struct Case {
        var config: String
        var text: String
        var pair: String?
        var maxLength: Int?
        var ids: [Int32]
        var typeIDs: [Int32]?
    }

    static func load() throws -> (fixture: JSONFields, cases: [Case]) {
        let fixture = JSONFields(file: TestPaths.fixture, value: try JSONParser.parse(try TextFiles.read(TestPaths.fixture)))
        let cases = try fixture.required("cases").array.map { c in
            Case(config: try c.required("config").string, text: try c.required("text").string,
                 pair: try c.member("pair")?.string, maxLength: try c.member("max_length")?.count,
                 ids: try c.required("ids").array.map { try $0.id }, typeIDs: try c.member("type_ids")?.array.map { try $0.id })
        }
        return (fixture, cases)
    }

    /// The tokenizer of a fixture configuration: MiniLM's with its normalizer or added tokens replaced.
    static func tokenizer(_ config: JSONFields, base: BertTokenizer) throws -> BertTokenizer {
        var normalizer = base.normalizer
        if let n = try config.member("normalizer") {
            normalizer = BertNormalizer(cleanText: try n.required("clean_text").bool, handleChineseChars: try n.required("handle_chinese_chars").bool,
                                        stripAccents: try n.member("strip_accents")?.bool, lowercase: try n.required("lowercase").bool)
        }
        var added = base.addedTokens
        if let list = try config.member("added_tokens") {
            added = try list.array.map { t in
                AddedToken(content: try t.required("content").string, id: try t.required("id").id, special: try t.required("special").bool,
                           normalized: try t.required("normalized").bool, singleWord: try t.required("single_word").bool,
                           lstrip: try t.required("lstrip").bool, rstrip: try t.required("rstrip").bool)
            }
        }
        return BertTokenizer(normalizer: normalizer, wordPiece: base.wordPiece, addedTokens: added, postProcessor: base.postProcessor,
                             padID: base.padID, source: base.source)
    }

    @Test func everyCaseMatchesTokenizers() throws {
        let base = try #require(miniLMTokenizer, "run Scripts/setup to install MiniLM")
        let (fixture, cases) = try Self.load()
        #expect(try fixture.required("tokenizers_version").string == "0.23.3")
        let configs = try fixture.required("configs")
        var tokenizers: [String: BertTokenizer] = [:]
        for (name, config) in try configs.members { tokenizers[name] = try Self.tokenizer(config, base: base) }

        // At least 500 real single sentences of the MiniLM tokenizer (they come first), pairs and truncations.
        let kinds = try fixture.required("kinds").array.map { (try $0.array[0].string, try $0.array[1].count) }
        #expect(kinds.map(\.1).reduce(0, +) == cases.count)
        let real = try #require(kinds.first { $0.0 == "real" }?.1)
        #expect(real >= 500 && cases.prefix(real).allSatisfy { $0.config == "minilm" && $0.pair == nil && $0.maxLength == nil })
        #expect(cases.filter { $0.pair != nil }.count >= 100)
        #expect(Set(cases.map(\.config)).count == 6)

        var mismatches: [String] = []
        for c in cases {
            let tok = try #require(tokenizers[c.config])
            let e = try tok.encode(c.text, pair: c.pair, maxLength: c.maxLength)
            if e.ids != c.ids || (c.typeIDs != nil && e.typeIDs != c.typeIDs) {
                mismatches.append("[\(c.config)] \(JSONText.quoted(c.text)) \(c.pair.map(JSONText.quoted) ?? "") max \(c.maxLength.map(String.init) ?? "-"): \(e.ids) (types \(e.typeIDs)) expected \(c.ids) (types \(c.typeIDs ?? []))")
            }
            #expect(e.attentionMask == [Int32](repeating: 1, count: e.count))
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) cases differ; first: \(mismatches.prefix(5).joined(separator: "\n"))")
    }

    /// transformers' BertTokenizerFast built from vocab.txt + tokenizer_config.json is the
    /// tokenizer.json tokenizer: the same ids on every MiniLM case.
    @Test func vocabularyFileGivesTheSameIDs() throws {
        let fromJSON = try #require(miniLMTokenizer, "run Scripts/setup to install MiniLM")
        let fromVocab = try BertTokenizer(vocabularyFile: TestPaths.minilm + "/vocab.txt")
        #expect(fromVocab.normalizer == fromJSON.normalizer)
        #expect(fromVocab.postProcessor == fromJSON.postProcessor)
        #expect(fromVocab.padID == 0 && fromVocab.wordPiece.unknownID == 100)
        #expect(fromVocab.modelMaxLength == 512)
        let cases = try Self.load().cases.filter { $0.config == "minilm" }
        var differ = 0
        for c in cases where try fromVocab.encode(c.text, pair: c.pair, maxLength: c.maxLength).ids != c.ids { differ += 1 }
        #expect(differ == 0)
    }

    /// Every Unicode scalar: the output of four BertNormalizer configurations and the
    /// pre-tokenizer's class agree with `tokenizers`, block by block (FNV-1a-64 of the same lines).
    @Test func everyScalarMatchesTokenizers() throws {
        let blocks = try Self.load().fixture.required("unicode_blocks").array
        #expect(blocks.count == 0x110)
        let configs = [BertNormalizer(stripAccents: nil, lowercase: true), BertNormalizer(stripAccents: false, lowercase: false),
                       BertNormalizer(stripAccents: true, lowercase: false), BertNormalizer(stripAccents: false, lowercase: true)]
        var differing: [String] = []
        var out: [UInt32] = []
        for b in blocks {
            let block = try b.required("block").count
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            var lines = 0
            for cp in UInt32(block * 4096)..<UInt32(block * 4096 + 4096) where !(0xD800...0xDFFF).contains(cp) {
                let ident = String(cp, radix: 16)
                var fields: [String] = []
                for n in configs {
                    out.removeAll(keepingCapacity: true)
                    n.normalize([cp][...], into: &out)
                    fields.append(out.map { String($0, radix: 16) }.joined(separator: " "))
                }
                let cls = BertCharacters.isWhitespace(cp) ? "w" : BertCharacters.isPunctuation(cp) ? "p" : "o"
                guard cls != "o" || fields.contains(where: { $0 != ident }) else { continue }
                for byte in "\(ident)\t\(fields.joined(separator: "\t"))\t\(cls)\n".utf8 {
                    h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
                }
                lines += 1
            }
            let digest = String(h, radix: 16)
            let expected = try b.required("fnv").string
            let expectedLines = try b.required("lines").count
            if String(repeating: "0", count: 16 - digest.count) + digest != expected || lines != expectedLines {
                differing.append(String(block * 4096, radix: 16))
            }
        }
        #expect(differing.isEmpty, "blocks starting at U+\(differing.joined(separator: ", U+")) differ from tokenizers")
    }
}
