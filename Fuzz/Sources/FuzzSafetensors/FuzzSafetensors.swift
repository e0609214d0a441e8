@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzSafetensors_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

let file = MemoryFile()

/// A safetensors file of arbitrary bytes: the header parser and every check of offsets,
/// shapes and dtypes; then every tensor read.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    file.set(UnsafeRawBufferPointer(start: data, count: size))
    guard let loaded = try? SafetensorsLoader.loadFile(file.path) else { return 0 }
    FuzzSupport.readAll(Checkpoint(path: file.path, loaded: loaded))
    return 0
}
