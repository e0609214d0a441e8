@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzHDF5Protocol_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    if let folder = ProcessInfo.processInfo.environment["HTSR_FUZZ_WRITE_SEEDS"] { writeSeeds(to: folder) }
    return FuzzSupport.main(argc, argv, test: fuzzOne)
}

/// Arbitrary bytes as everything an HDF5 worker process answers — the tensor list, then the
/// values of each read — to the parent's side of the isolation (`HDF5WorkerFile`): the frames,
/// their lengths, the listing's strings, types, shapes and layouts, values of the wrong size,
/// error frames, a channel that ends early. This is all of htsr's own code that a hostile HDF5
/// file can reach past the worker (libhdf5 crashing or hanging in the worker is contained by
/// the process boundary, `fuzz-hdf5` and `Scripts/hostile-sweep`); in process, so thousands of
/// inputs a second where the real worker manages a few hundred.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else { return 0 }
    let worker = pair[1]
    // The answers are queued up front, then the end of the stream; the requests the parent
    // sends are left unread in a buffer large enough for all of them (an input of n bytes holds
    // at most n/9 answer frames, so the parent sends at most that many requests, each naming a
    // dataset of at most n bytes), so that nothing blocks and no thread is needed.
    var large: Int32 = 64 << 20
    setsockopt(worker, SOL_SOCKET, SO_RCVBUFFORCE, &large, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(pair[0], SOL_SOCKET, SO_SNDBUFFORCE, &large, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(worker, SOL_SOCKET, SO_SNDBUFFORCE, &large, socklen_t(MemoryLayout<Int32>.size))
    _ = try? HDF5WireIO.send(worker, UnsafeRawBufferPointer(start: data, count: size))
    shutdown(worker, Int32(SHUT_WR))
    defer { close(worker) }
    do {
        let file = HDF5WorkerFile(origin: HDF5Origin(file: "fuzz.h5"), channel: pair[0],
                                  limits: HDF5Isolation.Limits(seconds: 1))
        if let loaded = try? file.listing(of: "fuzz.h5") {
            FuzzSupport.readAll(Checkpoint(path: "fuzz.h5", loaded: loaded))
        }
    }   // the file (and the listing's tensors) released: the parent's end closes
    return 0
}

/// Seeds: the answers a real worker gives for the repository's HDF5 fixtures when every tensor
/// is read as Float64 (what `fuzzOne` does), made with the worker's own code in this process.
func writeSeeds(to folder: String) {
    HDF5Isolation.use(nil)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures").path
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for fixture in ["keras2/weights.h5", "keras2/full_model.h5", "keras3/model.weights.h5", "generic.h5"] {
        let path = root + "/checkpoints/" + fixture
        guard let (loaded, _) = try? HDF5Loader.loadInProcess(path, origin: HDF5Origin(file: path)),
              let answers = try? HDF5WorkerServer.answers(loaded, path: path) else { continue }
        let name = fixture.replacingOccurrences(of: "/", with: "-") + ".answers"
        FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(answers))
    }
}
