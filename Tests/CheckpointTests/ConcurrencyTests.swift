import Foundation
import Testing
@testable import Checkpoint

@Suite struct ConcurrencyTests {
    /// Reads every tensor of `key` serially, then from 8 threads at once (each thread all
    /// tensors, in a rotated order), and compares.
    @Test(arguments: ["keras2/weights.h5", "keras3/model.weights.h5", "generic.h5",
                      "dtypes.safetensors", "sharded"])
    func concurrentReadsMatchSerialReads(_ key: String) throws {
        let checkpoint = try Checkpoint.open(Fixtures.path(key))
        let tensors = checkpoint.tensors
        let serial = try tensors.map { try checkpoint.readDoubles($0) }
        let threads = 8
        let results = UnsafeMutableBufferPointer<[[Double]]?>.allocate(capacity: threads)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            var mine = [[Double]](repeating: [], count: tensors.count)
            for r in 0..<3 {
                for k in 0..<tensors.count {
                    let i = (k + t + r) % tensors.count
                    guard let values = try? (t % 2 == 0 ? checkpoint.readDoubles(tensors[i])
                                                         : checkpoint.readFloats(tensors[i]).map { Double($0) }) else { return }
                    if t % 2 == 0 { mine[i] = values } else { mine[i] = try! checkpoint.readDoubles(tensors[i]) }
                }
            }
            results[t] = mine
        }
        for t in 0..<threads {
            let got = try #require(results[t], "thread \(t) failed to read")
            for (a, b) in zip(got, serial) { #expect(sameBits(a, b)) }
        }
    }
}
