import Foundation
import Synchronization
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

/// The analyzer's job queue: hands out jobs in a given order, keeps each job's result and the
/// first error, and reports progress. All state sits behind one `Mutex` (a `Sendable` type
/// without `@unchecked`); `Parallel.ResultSlots` is the plain result-slot type elsewhere — this
/// one adds the order, the running jobs and their costs that the progress line shows.
final class JobQueue<T: Sendable>: Sendable {
    private struct State {
        var slots: [T?]
        var next = 0
        var finished = 0
        var finishedWork = 0.0
        var running: [Int] = []
        var firstError: (any Error)?
    }

    private let state: Mutex<State>
    private let order: [Int]
    private let costs: [Double]
    private let names: [String]

    /// - Parameters:
    ///   - order: the job indices in the order they are handed out.
    ///   - costs, names: per job, for progress.
    init(order: [Int], costs: [Double], names: [String]) {
        state = Mutex(State(slots: Array(repeating: nil, count: costs.count)))
        self.order = order
        self.costs = costs
        self.names = names
    }

    /// The next job index (in `order`), or nil when all are taken or one failed; `then` runs
    /// under the lock when a job is handed out (so nobody sees the queue empty before it).
    func claim(then: () -> Void = {}) -> Int? {
        state.withLock { s in
            guard s.next < order.count, s.firstError == nil else { return nil }
            s.next += 1
            s.running.append(order[s.next - 1])
            then()
            return order[s.next - 1]
        }
    }

    /// Stores a job's result.
    func store(_ value: T, at i: Int) {
        state.withLock { s in
            s.slots[i] = value
            s.finished += 1
            s.finishedWork += costs[i]
            s.running.removeAll { $0 == i }
        }
    }

    /// Records job `i`'s error (the first one is thrown); no job is handed out after it.
    func fail(_ error: any Error, at i: Int) {
        state.withLock { s in
            if s.firstError == nil { s.firstError = error }
            s.running.removeAll { $0 == i }
        }
    }

    /// The first error recorded by `fail`.
    var firstError: (any Error)? { state.withLock { $0.firstError } }

    var progress: AnalysisProgress {
        state.withLock { s in
            AnalysisProgress(finished: s.finished, total: s.slots.count, running: s.running.map { names[$0] },
                             finishedWork: s.finishedWork, totalWork: costs.reduce(0, +))
        }
    }

    /// Every job's result, in job order (call once all jobs are stored).
    func values() -> [T] {
        state.withLock { s in
            s.slots.map { value in
                guard let value else { preconditionFailure("values() before every job was stored") }
                return value
            }
        }
    }
}
