import Text
import Foundation
import FuzzSupport

@_cdecl("FuzzTokenizerJSON_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

let file = MemoryFile()

/// A tokenizer.json of arbitrary bytes: loaded, then a text with accents, CJK, punctuation
/// and an unknown word encoded, alone and as a pair.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    file.set(UnsafeRawBufferPointer(start: data, count: size))
    guard let tokenizer = try? BertTokenizer(tokenizerJSON: file.path) else { return 0 }
    _ = try? tokenizer.encode("Héllo, wörld! 東京 don't [MASK] supercalifragilistic", pair: "a b", maxLength: 32)
    return 0
}
