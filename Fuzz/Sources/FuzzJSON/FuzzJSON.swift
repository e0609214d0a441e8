@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzJSON_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

/// The JSON parser on arbitrary bytes: it returns a value or a `JSONSyntaxError`, and what it
/// returns survives writing and parsing again unchanged.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let text = value.text()
    guard let again = try? JSONParser.parse(Array(text.utf8)) else { fatalError("written JSON does not parse: \(text.prefix(200))") }
    precondition(again == value, "JSON changes when written and parsed again")
    return 0
}
