@testable import Checkpoint
import Foundation
import FuzzSupport

@_cdecl("FuzzPickle_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.main(argc, argv, test: fuzzOne)
}

/// The restricted pickle machine on arbitrary bytes: a value or a typed error, never a global
/// outside its whitelist executed (nothing is), never unbounded recursion.
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var machine = PickleMachine(file: "fuzz.pkl", bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    _ = try? machine.run()
    machine.release()
    return 0
}
