import Foundation
import Synchronization
import Testing
@testable import Checkpoint

@Suite struct ConcurrencyTests {
    /// What one thread read: every tensor as doubles and as floats, or the first error.
    private struct ThreadResult {
        var doubles: [[Double]]
        var floats: [[Float]]
        var error: Error?
    }

    /// Reads every tensor of `key` serially, then from 8 threads at once (each thread reads all
    /// tensors three times, as doubles and floats, starting at a different tensor), and compares.
    @Test(arguments: ["keras2/weights.h5", "keras3/model.weights.h5", "generic.h5",
                      "dtypes.safetensors", "sharded"])
    func concurrentReadsMatchSerialReads(_ key: String) throws {
        let checkpoint = try Checkpoint.open(Fixtures.path(key))
        let tensors = checkpoint.tensors
        let serialDoubles = try tensors.map { try checkpoint.readDoubles($0) }
        let serialFloats = try tensors.map { try checkpoint.readFloats($0) }
        let threads = 8
        let slots = Mutex<[ThreadResult]>(Array(repeating: ThreadResult(doubles: [], floats: [], error: nil), count: threads))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var mine = ThreadResult(doubles: Array(repeating: [], count: tensors.count),
                                    floats: Array(repeating: [], count: tensors.count), error: nil)
            do {
                for round in 0..<3 {
                    for k in 0..<tensors.count {
                        let i = (k + t + round) % tensors.count
                        mine.doubles[i] = try checkpoint.readDoubles(tensors[i])
                        mine.floats[i] = try checkpoint.readFloats(tensors[i])
                    }
                }
            } catch {
                mine.error = error
            }
            slots.withLock { $0[t] = mine }  // each thread writes only its own slot
        }
        let results = slots.withLock { $0 }
        for t in 0..<threads {
            #expect(results[t].error == nil, "thread \(t): \(String(describing: results[t].error))")
            #expect(results[t].doubles.count == serialDoubles.count && results[t].floats.count == serialFloats.count, "thread \(t)")
            #expect(zip(results[t].doubles, serialDoubles).allSatisfy { sameBits($0, $1) }, "thread \(t)")
            #expect(zip(results[t].floats, serialFloats).allSatisfy { sameBits($0, $1) }, "thread \(t)")
        }
    }
}
