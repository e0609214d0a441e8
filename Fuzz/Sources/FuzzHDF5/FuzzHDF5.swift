@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzHDF5_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

/// The input as a named file (the worker process opens it by name).
let path = FuzzSupport.namedFile("input.h5")

/// An HDF5 file of arbitrary bytes through the isolation htsr uses: opened, walked and read by
/// a worker process (the built htsr, `HTSR_BIN` or ../.build/debug/htsr), so that libhdf5
/// crashing or hanging is an error here, never a finding; findings are in htsr's own code
/// (the protocol, the checks of what the worker says). One worker serves input after input
/// (`Worker.reuse`; a new one after a crash or a timeout of 0.25 s): a process start per input
/// held the target at a few executions a second.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if HDF5Isolation.worker == nil { HDF5Isolation.use(FuzzSupport.hdf5Worker()) }
    FileManager.default.createFile(atPath: path, contents: Data(UnsafeBufferPointer(start: data, count: size)))
    guard let loaded = try? HDF5Loader.load(path) else { return 0 }
    FuzzSupport.readAll(Checkpoint(path: path, loaded: loaded))
    return 0
}
