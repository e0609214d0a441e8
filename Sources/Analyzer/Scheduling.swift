import Foundation
import LinearAlgebra
import Spectrum

/// How the analysis orders its layers and shares its threads.
enum Scheduling {
    /// The estimated cost of a layer in flop-equivalents: per slice, the Gram (`N·M²`) and the
    /// eigensolver (`4·M³`, from the measured times of `dsyrk` and `dsyevd_2stage` at M = 4096).
    /// Layers run largest cost first, so the last ones to finish are small; ties keep
    /// checkpoint order.
    static func cost(_ m: WeightMatrices) -> Double {
        let n = Double(m.N), k = Double(m.M)
        return Double(m.sliceCount) * (n * k * k + 4 * k * k * k)
    }

    /// Job indices, largest cost first (stable).
    static func largestFirst(_ costs: [Double]) -> [Int] {
        costs.indices.sorted { costs[$0] > costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
    }
}

/// Idle workers lending their threads to the Gram panels of the layers still running.
///
/// Each worker owns one layer at a time. When the queue is empty a worker retires into a
/// helper: it takes panels (``SymmetricEigen/gramPanelWidth`` columns of a Gram matrix) of the
/// other workers' Gram computations for as long as a layer is running. A Gram is bitwise the
/// same whoever computes its panels, so the output does not depend on the schedule. The
/// eigensolvers stay single-threaded: OpenBLAS's threaded `dsymv`/`dsyr2k` inside them change
/// the last bits with the thread count (measured up to 8e-15·λmax between one and two threads).
///
/// A helper waits only while some worker holds a layer, never for workers that have not
/// started (`DispatchQueue.concurrentPerform` may run its iterations one after another).
final class PanelHelpers: @unchecked Sendable {  // every field is guarded by `condition`
    private final class Work {
        let count: Int
        let body: (Int) -> Void
        var next = 0
        var finished = 0
        init(count: Int, body: @escaping (Int) -> Void) { self.count = count; self.body = body }
    }

    private let condition = NSCondition()
    private var open: [Work] = []
    private var busy = 0

    init() {}

    /// A worker starts a layer (call before the layer's first Gram) …
    func begin() {
        condition.lock(); busy += 1; condition.unlock()
    }

    /// … and ends it (after success or failure).
    func end() {
        condition.lock(); busy -= 1; condition.broadcast(); condition.unlock()
    }

    /// The panel runner of a worker's own Gram computations.
    var runner: SymmetricEigen.PanelRunner {
        { [self] count, body in run(count, body) }
    }

    private func run(_ count: Int, _ body: @escaping (Int) -> Void) {
        if count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let work = Work(count: count, body: body)
        condition.lock()
        open.append(work)
        condition.broadcast()
        while work.next < work.count {
            let p = work.next
            work.next += 1
            condition.unlock()
            body(p)
            condition.lock()
            work.finished += 1
        }
        open.removeAll { $0 === work }
        while work.finished < work.count { condition.wait() }
        condition.unlock()
    }

    /// Called by a worker that found no layer left: helps with the others' panels while any
    /// layer is running, then returns.
    func retire() {
        condition.lock()
        while true {
            if let work = open.first(where: { $0.next < $0.count }) {
                let p = work.next
                work.next += 1
                condition.unlock()
                work.body(p)
                condition.lock()
                work.finished += 1
                condition.broadcast()
            } else if busy > 0 {
                condition.wait()
            } else {
                break
            }
        }
        condition.unlock()
    }
}

/// Where a running analysis is, for a progress display.
public struct AnalysisProgress: Sendable, Equatable {
    /// Layers (tensors) finished, and in total.
    public var finished: Int
    public var total: Int
    /// The layers being analysed now, in the order they started.
    public var running: [String]
    /// Estimated work done and in total (flop-equivalents, see `Scheduling.cost`): the
    /// fraction to base an ETA on, since layers differ in size by orders of magnitude.
    public var finishedWork: Double
    public var totalWork: Double

    public init(finished: Int, total: Int, running: [String], finishedWork: Double, totalWork: Double) {
        self.finished = finished
        self.total = total
        self.running = running
        self.finishedWork = finishedWork
        self.totalWork = totalWork
    }
}

/// Thread-safe result slots with a shared work counter, and the progress of the jobs.
final class ResultSlots<T>: @unchecked Sendable {  // every field is guarded by `lock`
    private let lock = NSLock()
    private var slots: [T?]
    private let order: [Int]
    private let costs: [Double]
    private let names: [String]
    private var next = 0
    private var finished = 0
    private var finishedWork = 0.0
    private var running: [Int] = []
    private(set) var firstError: Error?

    /// - Parameters:
    ///   - order: the job indices in the order they are handed out.
    ///   - costs, names: per job, for progress.
    init(order: [Int], costs: [Double], names: [String]) {
        slots = Array(repeating: nil, count: costs.count)
        self.order = order
        self.costs = costs
        self.names = names
    }

    /// The next job index (in `order`), or nil when all are taken or one failed; `then` runs
    /// under the lock when a job is handed out (so nobody sees the queue empty before it).
    func claim(then: () -> Void = {}) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < order.count, firstError == nil else { return nil }
        next += 1
        running.append(order[next - 1])
        then()
        return order[next - 1]
    }

    /// Stores a job's result.
    func store(_ value: T, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
        finished += 1
        finishedWork += costs[i]
        running.removeAll { $0 == i }
    }

    /// Records job `i`'s error (the first one is thrown); no job is handed out after it.
    func fail(_ error: Error, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        if firstError == nil { firstError = error }
        running.removeAll { $0 == i }
    }

    var progress: AnalysisProgress {
        lock.lock(); defer { lock.unlock() }
        return AnalysisProgress(finished: finished, total: slots.count, running: running.map { names[$0] },
                                finishedWork: finishedWork, totalWork: costs.reduce(0, +))
    }

    func values() -> [T] { slots.map { $0! } }
}
