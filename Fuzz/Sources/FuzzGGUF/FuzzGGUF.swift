@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzGGUF_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

let file = MemoryFile()

/// A GGUF file of arbitrary bytes: header, metadata, tensor infos; then every tensor
/// dequantized.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    file.set(UnsafeRawBufferPointer(start: data, count: size))
    guard let loaded = try? GGUFLoader.load(file.path) else { return 0 }
    FuzzSupport.readAll(Checkpoint(path: file.path, loaded: loaded))
    return 0
}
