@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzShardIndex_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

/// A folder holding two real shards; each input is its index.
let folder = FuzzSupport.shardFolder()

/// A shard index of arbitrary bytes (JSON, `weight_map`, shard names that lie or lead out of
/// the folder); then every tensor read.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let index = folder + "/model.safetensors.index.json"
    FileManager.default.createFile(atPath: index, contents: Data(UnsafeBufferPointer(start: data, count: size)))
    guard let checkpoint = try? Checkpoint.open(index) else { return 0 }
    FuzzSupport.readAll(checkpoint)
    return 0
}
