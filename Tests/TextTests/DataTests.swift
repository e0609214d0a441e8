import Foundation
import Testing
@testable import Text
import Random


/// Returns the given words in turn.
struct Replay: RandomNumberGenerator {
    var words: [UInt64]
    var used = 0
    mutating func next() -> UInt64 {
        defer { used += 1 }
        return words[used % words.count]
    }
}

@Suite struct DelimitedFileTests {
    @Test func rfc4180() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let csv = "\u{FEFF}id,text,label\r\n1,\"Hello, \"\"world\"\"\nsecond line\",pos\r\n\n2,plain \"quote\" inside,neg\n3,,neg\n4,\"\",\"pos\""
        let t = try LabeledTexts.read(file: try s.write("d.csv", csv))
        #expect(t.texts == ["Hello, \"world\"\nsecond line", "plain \"quote\" inside", "", ""])
        #expect(t.labels == ["pos", "neg", "neg", "pos"])
        #expect(t.lines == [2, 5, 6, 7])
        #expect(t.secondTexts == nil)
        let d = try TextDataset.classify([t])[0]
        #expect(d.classNames == ["neg", "pos"] && d.labels == [1, 0, 0, 1])

        let tsv = "sentence1\tsentence2\tgold\nA man\t\"A \tperson\"\tentail\nx\ty\tcontradict\n"
        let pairs = try LabeledTexts.read(file: try s.write("p.tsv", tsv), columns: TextColumns(text: "sentence1", label: "gold", secondText: "sentence2"))
        #expect(pairs.texts == ["A man", "x"] && pairs.secondTexts == ["A \tperson", "y"] && pairs.labels == ["entail", "contradict"])
    }

    @Test func jsonLines() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let jsonl = "{\"text\": \"good\", \"label\": 1}\n\n  \r\n{\"label\": true, \"text\": \"caf\\u00e9\", \"extra\": [1]}\r\n{\"text\": \"x\", \"label\": \"1\"}"
        let t = try LabeledTexts.read(file: try s.write("d.jsonl", jsonl))
        #expect(t.texts == ["good", "café", "x"] && t.labels == ["1", "true", "1"] && t.lines == [1, 4, 5])
        let cases: [(String, String)] = [
            ("{\"text\": \"a\"}\n", "line 1: no field \"label\""),
            ("{\"text\": 3, \"label\": \"a\"}\n", "line 1: field \"text\": expected a string, found a number"),
            ("{\"text\": \"a\", \"label\": null}\n", "line 1: field \"label\": expected a string, number or boolean, found null"),
            ("{\"text\": \"a\", \"label\": \"\"}\n", "line 1: empty label"),
            ("{\"text\": \"a\", \"label\": \"b\"}\n[1]\n", "line 2: expected a JSON object, found an array"),
            ("{\"text\": \"a\", \"label\": \"b\"}\n{\"text\": \"a\",\n", "line 2: not valid JSON: expected a string key at column 14"),
            ("\n\n", "no examples"),
        ]
        for (i, (content, message)) in cases.enumerated() {
            let path = try s.write("bad\(i).jsonl", content)
            let e = #expect(throws: TextError.self) { try LabeledTexts.read(file: path) }
            #expect(e?.description == "\(path): \(message)")
        }
    }

    /// Hostile files: each a one-line error naming the file (and line), never a crash or a hang.
    @Test func hostileFiles() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let cases: [(String, [UInt8], String)] = [
            ("empty.csv", [], "empty file (no header row)"),
            ("header.csv", Array("text,label\n".utf8), "no examples"),
            ("ragged.csv", Array("text,label\na,b\nc,d,e\n".utf8), "line 3: 3 fields where the header has 2"),
            ("short.csv", Array("text,label\na\n".utf8), "line 2: 1 fields where the header has 2"),
            ("unterminated.csv", Array("text,label\n\"a,b\nc,d\n".utf8), "line 2: a quoted field is not closed before the end of the file"),
            ("after-quote.csv", Array("text,label\n\"a\"b,c\n".utf8), "line 2: text after the closing quote of a field (write a quote inside a quoted field as \"\")"),
            ("renamed.csv", Array("sentence,label\na,b\n".utf8), "line 1: no column \"text\" (columns: \"sentence\", \"label\")"),
            ("twice.csv", Array("text,text,label\na,b,c\n".utf8), "line 1: 2 columns are named \"text\""),
            ("no-label.csv", Array("text,label\na,\n".utf8), "line 2: empty label"),
            ("latin1.csv", Array("text,label\ncaf".utf8) + [0xE9] + Array(",x\n".utf8), "line 2: byte 4 (0xE9) is not valid UTF-8; if the file is Latin-1, read it with the latin1 encoding"),
            ("truncated-utf8.csv", Array("text,label\na,b\nx,".utf8) + [0xE2, 0x82], "line 3: byte 3 (0xE2) is not valid UTF-8; if the file is Latin-1, read it with the latin1 encoding"),
            ("data.txt", Array("text,label\n".utf8), "unknown data format: expected a .csv, .tsv or .jsonl file"),
        ]
        for (name, bytes, message) in cases {
            let path = try s.write(name, bytes)
            let e = #expect(throws: TextError.self, "\(name)") { try LabeledTexts.read(file: path) }
            #expect(e?.description == "\(path): \(message)", "\(name)")
        }
        #expect(throws: TextError.self) { try LabeledTexts.read(file: s.path("missing.csv")) }
        #expect(throws: TextError.self) { try LabeledTexts.read(file: s.url.path + "/") }

        // Latin-1 on request; NUL bytes are ordinary characters (the tokenizer drops them).
        let latin = try LabeledTexts.read(file: s.path("latin1.csv"), encoding: .latin1)
        #expect(latin.texts == ["café"])
        let nul = try LabeledTexts.read(file: try s.write("nul.csv", Array("text,label\na\u{0}b,c\u{0}\n".utf8)))
        #expect(nul.texts == ["a\u{0}b"] && nul.labels == ["c\u{0}"])

        // A 10 MB single line: parsed in linear time.
        let big = String(repeating: "lorem ipsum, \"dolor\" ", count: 500_000)
        let line = "text,label\n\"" + big.replacingOccurrences(of: "\"", with: "\"\"") + "\",long\n"
        let parsed = try LabeledTexts.read(file: try s.write("big.csv", line))
        #expect(parsed.texts == [big] && big.utf8.count > 10_000_000)
    }

    @Test func classOrder() throws {
        #expect(ClassNames.ordered(["b", "B", "a", "é", "b", "10"]) == ["10", "B", "a", "b", "é"])
        #expect(ClassNames.ordered(["10", "9", "-1", "01", "1"]) == ["-1", "01", "1", "9", "10"])
        #expect(ClassNames.ordered(["e\u{301}", "é"]).count == 2)   // scalar by scalar, not canonical equivalence
        let one = LabeledTexts(texts: ["a", "b"], secondTexts: nil, labels: ["x", "x"], lines: [2, 3], source: "f.csv")
        let e = #expect(throws: TextError.self) { try TextDataset.classify([one]) }
        #expect(e?.description == "f.csv: every example has the label x; classification needs at least two classes")
    }
}

@Suite struct SplitTests {
    /// 3 classes of 50, 30 and 4 examples.
    static func data() -> TextDataset {
        var texts: [String] = [], labels: [Int] = []
        for (c, n) in [50, 30, 4].enumerated() {
            for i in 0..<n { texts.append("class \(c) example \(i)"); labels.append(c) }
        }
        return TextDataset(texts: texts, labels: labels, classNames: ["a", "b", "c"])
    }

    @Test func holdOutIsFixedAndStratified() throws {
        let d = Self.data()
        let s = try TextSplits.holdOut(d, source: "d.csv")
        #expect(s.test.classCounts == [10, 6, 1] && s.train.classCounts == [40, 24, 3])
        #expect(Set(s.test.texts).isDisjoint(with: s.train.texts))
        // The same texts whatever the file order.
        let reversed = d.subset(Array(d.labels.indices.reversed()))
        #expect(Set(try TextSplits.holdOut(reversed, source: "d.csv").test.texts) == Set(s.test.texts))
        // One example per class: nothing to hold out.
        let tiny = TextDataset(texts: ["a", "b"], labels: [0, 1], classNames: ["x", "y"])
        let e = #expect(throws: TextError.self) { try TextSplits.holdOut(tiny, source: "t.csv") }
        #expect(e?.description == "t.csv: 2 examples are too few to hold out a test set")
    }

    @Test func lowDataSplits() throws {
        let splits = try TextSplits.holdOut(Self.data(), source: "d.csv")   // pool 40 / 24 / 3
        var rng = SeededRNG(seed: 1)
        let a = try LowDataSplits(splits, train: .count(8), validation: .count(10), using: &rng)
        #expect(a.train.count == 8 && a.validation.count == 10)
        #expect(a.validation.classCounts == [6, 4, 0])                     // proportional, largest remainders
        #expect(a.train.classCounts.allSatisfy { $0 >= 1 })
        #expect(a.train.classCounts == [4, 3, 1])
        #expect(Set(a.trainIndices).isDisjoint(with: a.validationIndices))
        #expect(a.test == splits.test)
        // Validation is the same for every seed and size; training draws depend on the seed only.
        var rng2 = SeededRNG(seed: 2)
        let b = try LowDataSplits(splits, train: .count(20), validation: .count(10), using: &rng2)
        #expect(b.validationIndices == a.validationIndices)
        var rng1 = SeededRNG(seed: 1)
        #expect(try LowDataSplits(splits, train: .count(8), validation: .count(10), using: &rng1) == a)
        var rng3 = SeededRNG(seed: 3)
        #expect(try LowDataSplits(splits, train: .count(8), validation: .count(10), using: &rng3).trainIndices != a.trainIndices)
        // Ratios and everything.
        var r = SeededRNG(seed: 4)
        #expect(try LowDataSplits(splits, train: .ratio(0.5), validation: .ratio(0.1), using: &r).train.count == 30)
        #expect(try LowDataSplits(splits, train: .all, validation: .ratio(0.1), using: &r).train.count == 60)
        #expect(try LowDataSplits(splits, train: .ratio(0.001), validation: .count(0), using: &r).train.classCounts == [1, 1, 1])

        let errors: [(TrainSize, ValidationSize, String)] = [
            (.count(2), .count(10), "training pool: 2 training examples are fewer than the 3 classes (each class needs one)"),
            (.count(60), .count(10), "training pool: 60 training examples asked for, but only 57 are left after 10 for validation"),
            (.count(5), .count(67), "training pool: a validation set of 67 leaves no training examples out of 67"),
            (.count(5), .count(-1), "training pool: validation count -1 is negative"),
            (.ratio(0), .count(5), "training pool: training ratio 0.0 is not in (0, 1]"),
            (.count(5), .ratio(1), "training pool: validation ratio 1.0 is not in [0, 1)"),
            (.count(5), .count(64), "training pool: class \"c\" has no training examples left after validation (it has 3 in all); use a smaller validation set"),
        ]
        for (train, validation, message) in errors {
            var g = SeededRNG(seed: 9)
            let e = #expect(throws: TextError.self) { try LowDataSplits(splits, train: train, validation: validation, using: &g) }
            #expect(e?.description == message)
        }
        // A class with no training examples at all (only in the test set).
        let test = TextDataset(texts: ["t"], labels: [2], classNames: ["a", "b", "c"])
        let poolOnly = TextDataset(texts: ["x", "y"], labels: [0, 1], classNames: ["a", "b", "c"])
        var g = SeededRNG(seed: 5)
        let e = #expect(throws: TextError.self) {
            try LowDataSplits(TextSplits(train: poolOnly, test: test, testOrigin: "t"), train: .count(3), validation: .count(0), using: &g)
        }
        #expect(e?.description == "training pool: class \"c\" has no training examples")
    }

    @Test func quotasAndSampling() {
        #expect(LowDataSplits.proportionalQuotas(total: 10, sizes: [50, 30, 4], minimum: 0) == [6, 4, 0])
        #expect(LowDataSplits.proportionalQuotas(total: 3, sizes: [50, 30, 4], minimum: 1) == [1, 1, 1])
        #expect(LowDataSplits.proportionalQuotas(total: 84, sizes: [50, 30, 4], minimum: 1) == [50, 30, 4])
        #expect(LowDataSplits.proportionalQuotas(total: 5, sizes: [1, 1, 100], minimum: 1) == [1, 1, 3])
        for total in 3...84 {
            let q = LowDataSplits.proportionalQuotas(total: total, sizes: [50, 30, 4], minimum: 1)
            #expect(q.reduce(0, +) == total && q.allSatisfy { $0 >= 1 } && zip(q, [50, 30, 4]).allSatisfy { $0 <= $1 })
        }
        // The use of the generator's words is fixed (high half of word × n, rejecting a low half
        // below 2⁶⁴ mod n), so a seed gives the same draws on every platform.
        var top = Replay(words: [.max])
        #expect(Sampling.uniform(10, using: &top) == 9)
        var zero = Replay(words: [0])
        #expect(Sampling.uniform(8, using: &zero) == 0)                  // 2⁶⁴ mod 8 = 0: nothing rejected
        var twice = Replay(words: [0, 1 << 62])
        #expect(Sampling.uniform(10, using: &twice) == 2 && twice.used == 2)   // 0 rejected (2⁶⁴ mod 10 = 6)
        var fisherYates = Replay(words: [.max, 0, 1 << 62])
        #expect(Sampling.sample(Array(0..<10), count: 2, using: &fisherYates) == [9, 3])
        var h = SeededRNG(seed: 7)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<30_000 { counts[Sampling.uniform(3, using: &h)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
    }
}

@Suite struct BuiltinDataTests {
    @Test func orangeSets() throws {
        let r8 = try BuiltinTextData.r8.load(folder: TestPaths.textData)
        #expect(r8.train.count == 5485 && r8.test.count == 2189)
        #expect(r8.classNames == ["acq", "crude", "earn", "grain", "interest", "money-fx", "ship", "trade"])
        #expect(r8.train.classCounts == [1596, 253, 2840, 41, 190, 206, 108, 251])
        let tweets = try BuiltinTextData.tweets.load(folder: TestPaths.textData)
        #expect(tweets.classNames == ["HillaryClinton", "realDonaldTrump"])
        #expect(tweets.train.count + tweets.test.count == 6444 && tweets.test.count == 1289)
        #expect(tweets.test.classCounts == [645, 644])
        #expect(tweets.train.texts.contains { $0.contains("\"smart.\"") })     // CSV quoting undone
        let ng = try BuiltinTextData.twentyNewsgroups.load(folder: TestPaths.textData)
        #expect(ng.train.count == 11293 && ng.test.count == 7528 && ng.classNames.count == 20)
        #expect(ng.classNames.first == "alt.atheism" && ng.classNames.last == "talk.religion.misc")
        let missing = #expect(throws: TextError.self) { try BuiltinTextData.r8.load(folder: "/nonexistent") }
        #expect(missing?.kind == .notFound)
    }

    @Test func encodedTexts() throws {
        let tok = try #require(miniLMTokenizer, "run Scripts/setup to install MiniLM")
        let d = TextDataset(texts: ["Hello world!", "a much longer sentence than the first one"], secondTexts: ["hi", "b"],
                            labels: [1, 0], classNames: ["n", "p"])
        let e = try EncodedTexts(d, tokenizer: tok, maxLength: 8)
        #expect(e.encodings.map(\.count) == [7, 8])
        let b = e.batch([1, 0])
        #expect(b.labels == [0, 1] && b.inputs.count == 2 && b.inputs.length == 8 && b.inputs.lengths == [8, 7])
        #expect(Array(b.inputs.ids[8..<16]) == [101, 7592, 2088, 999, 102, 7632, 102, 0])
        #expect(Array(b.inputs.typeIDs[8..<16]) == [0, 0, 0, 0, 0, 1, 1, 0])
        #expect(Array(b.inputs.attentionMask[8..<16]) == [1, 1, 1, 1, 1, 1, 1, 0])
        #expect(e.batch([0], padding: .fixed).inputs.length == 8)
    }
}
