@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzZip_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

let file = MemoryFile()

/// A ZIP archive of arbitrary bytes: the directory, every entry extracted (stored or deflated,
/// bounded), and, for a PyTorch archive, its pickle and every tensor read.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    file.set(UnsafeRawBufferPointer(start: data, count: size))
    guard let zip = try? ZipArchive(path: file.path) else { return 0 }
    for entry in zip.entries.prefix(64) { _ = try? zip.data(of: entry, limit: 1 << 20) }
    if TorchLoader.isTorchArchive(zip), let loaded = try? TorchLoader.load(file.path, zip: zip) {
        FuzzSupport.readAll(Checkpoint(path: file.path, loaded: loaded))
    }
    return 0
}
