import Checkpoint
import Foundation
import LinearAlgebra
import Spectrum

/// Messages between the ranks of a distributed run (htsr's MPI transport implements it; tests
/// use threads). Rank 0 coordinates; ranks 1 … size − 1 work.
public protocol MessageChannel: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Sends `bytes` with `tag` to rank `to`.
    func send(_ bytes: [UInt8], tag: Int, to: Int) throws
    /// Waits for the next message from `from` (any rank when nil) with `tag` (any when nil).
    func receive(from: Int?, tag: Int?) throws -> ChannelMessage
}

public struct ChannelMessage: Sendable, Equatable {
    public var source: Int
    public var tag: Int
    public var bytes: [UInt8]

    public init(source: Int, tag: Int, bytes: [UInt8]) {
        self.source = source
        self.tag = tag
        self.bytes = bytes
    }
}

/// An error that happened on another rank, as it described itself there (rank 0 reports it as
/// a single process would have reported the error itself).
public struct RemoteError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A dynamic work list shared by the ranks: rank 0 hands items out in a given order to the
/// ranks that ask, one item per request; every other rank asks for as many items as it has
/// worker threads, runs them, and sends each result back (which frees the thread for the next
/// request). After the first failure no item is handed out; the run ends when every rank has
/// been told to stop and every handed-out item has come back.
public enum WorkList {
    /// Message tags (MPI tags are non-negative `Int32`s).
    enum Tag: Int {
        case request = 1, assign, stop, result, failure, done
    }

    /// Rank 0: hands out `order`'s items and passes each result to `consume`.
    ///
    /// - Parameter names: per item, a name the worker checks (both sides must see the same list).
    ///   - handedOut: called with each item as it is handed out.
    /// - Returns: the first failure's description (a worker's, or what `consume` threw), or nil.
    public static func serve(order: [Int], names: [String], channel: MessageChannel,
                             handedOut: (Int) -> Void = { _ in },
                             consume: (Int, [UInt8]) throws -> Void) throws -> String? {
        var next = 0, stopped = 0
        var outstanding = Set<Int>()
        var firstFailure: String?
        while stopped < channel.size - 1 || !outstanding.isEmpty {
            let m = try channel.receive(from: nil, tag: nil)
            var r = ByteReader(bytes: m.bytes)
            switch Tag(rawValue: m.tag) {
            case .request?:
                if firstFailure == nil, next < order.count {
                    let item = order[next]
                    next += 1
                    outstanding.insert(item)
                    handedOut(item)
                    var w = ByteWriter()
                    w.int(item)
                    w.string(names[item])
                    try channel.send(w.bytes, tag: Tag.assign.rawValue, to: m.source)
                } else {
                    try channel.send([], tag: Tag.stop.rawValue, to: m.source)
                    stopped += 1
                }
            case .result?:
                let item = try r.int()
                guard outstanding.remove(item) != nil else { throw RemoteError("rank \(m.source) sent a result for item \(item), which it was not given") }
                do {
                    try consume(item, Array(m.bytes[r.offset...]))
                } catch {
                    firstFailure = firstFailure ?? "\(error)"
                }
            case .failure?:
                let item = try r.int()
                outstanding.remove(item)
                let message = try r.string()
                firstFailure = firstFailure ?? message
            default:
                throw RemoteError("rank \(m.source) sent an unexpected message (tag \(m.tag))")
            }
        }
        return firstFailure
    }

    /// Ranks > 0: asks rank 0 for items and runs them on `threads` worker threads with
    /// `perform(item, name, panels)`, whose bytes go back as the item's result (a thrown error's
    /// description as its failure). Threads with no item left help the running ones with their
    /// Gram panels (`PanelHelpers`). Returns when rank 0 has said stop and every item is back.
    public static func work(threads: Int, channel: MessageChannel,
                            perform: @escaping @Sendable (Int, String, @escaping SymmetricEigen.PanelRunner) throws -> [UInt8]) throws {
        let helpers = PanelHelpers()
        let inbox = Mailbox<(Int, String)>(), outbox = Mailbox<(Int, Result<[UInt8], RemoteError>)>()
        let group = DispatchGroup()
        for _ in 0..<max(1, threads) {
            group.enter()
            Thread.detachNewThread {
                while let (item, name) = inbox.take(then: helpers.begin) {
                    let result = Result { try perform(item, name, helpers.runner) }.mapError { RemoteError("\($0)") }
                    helpers.end()
                    outbox.put((item, result))
                }
                helpers.retire()
                group.leave()
            }
        }
        defer {
            inbox.close()
            group.wait()
        }
        var free = max(1, threads), running = 0, stopped = false
        while true {
            if !stopped && free > 0 {
                try channel.send([], tag: Tag.request.rawValue, to: 0)
                let reply = try channel.receive(from: 0, tag: nil)
                switch Tag(rawValue: reply.tag) {
                case .assign?:
                    var r = ByteReader(bytes: reply.bytes)
                    inbox.put((try r.int(), try r.string()))
                    free -= 1
                    running += 1
                case .stop?:
                    stopped = true
                    inbox.close()
                default:
                    throw RemoteError("rank 0 sent an unexpected message (tag \(reply.tag))")
                }
                continue
            }
            if running == 0 { return }
            guard let (item, result) = outbox.take() else { return }
            running -= 1
            free += 1
            var w = ByteWriter()
            w.int(item)
            switch result {
            case let .success(bytes):
                w.bytes += bytes
                try channel.send(w.bytes, tag: Tag.result.rawValue, to: 0)
            case let .failure(error):
                w.string(error.description)
                try channel.send(w.bytes, tag: Tag.failure.rawValue, to: 0)
            }
        }
    }

    /// Rank 0 with nothing to hand out (e.g. the checkpoint cannot be opened): tells every rank
    /// to stop.
    public static func decline(channel: MessageChannel) throws {
        _ = try serve(order: [], names: [], channel: channel) { _, _ in }
    }

    /// Rank 0, at the very end: tells every rank the exit status.
    public static func finish(status: Int32, channel: MessageChannel) throws {
        var w = ByteWriter()
        w.int(Int(status))
        for rank in 1..<max(1, channel.size) { try channel.send(w.bytes, tag: Tag.done.rawValue, to: rank) }
    }

    /// Ranks > 0, at the very end: the exit status rank 0 decided.
    public static func awaitFinish(channel: MessageChannel) throws -> Int32 {
        let m = try channel.receive(from: 0, tag: Tag.done.rawValue)
        var r = ByteReader(bytes: m.bytes)
        return Int32(truncatingIfNeeded: try r.int())
    }
}

/// A blocking queue between threads; `take` returns nil once it is closed and empty.
final class Mailbox<T>: @unchecked Sendable {  // every field is guarded by `condition`
    private let condition = NSCondition()
    private var items: [T] = []
    private var closed = false

    func put(_ item: T) {
        condition.lock(); items.append(item); condition.signal(); condition.unlock()
    }

    func close() {
        condition.lock(); closed = true; condition.broadcast(); condition.unlock()
    }

    /// The next item (after running `then` under the lock), or nil when closed and empty.
    func take(then: () -> Void = {}) -> T? {
        condition.lock(); defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        then()
        return items.removeFirst()
    }
}

extension Analyzer {
    /// Rank 0 of a distributed analysis of one checkpoint: plans it from its headers, hands its
    /// layers out largest first (`WorkList`), and makes each row from the spectra a rank sends
    /// back with the code a single process uses (`reports`), so the report — and the files
    /// written from it — are the single process's. Reads no weights itself.
    ///
    /// - Parameter order: the layer order (`--order FILE`); nil: the source's `forwardOrder()`.
    ///   The other ranks must be given the same.
    /// - Throws: the options' and the source's errors, or the first rank's error (`RemoteError`).
    public static func coordinate(_ source: TensorSource, options: AnalysisOptions, order: LayerOrder? = nil,
                                  channel: MessageChannel, progress: Progress? = nil,
                                  keepEigenvalues: (@Sendable (LayerReport, ESD) throws -> Void)? = nil,
                                  timings: StageTimings? = nil) throws -> AnalysisReport {
        // The work list is served even when the plan fails (with nothing to hand out), so the
        // other ranks are told to stop; the plan's error is thrown afterwards.
        let planned = Result { () throws -> (jobs: [Job], skipped: [SkippedTensor], order: OrderInfo) in
            try options.validate()
            let layerOrder = try order ?? source.forwardOrder()
            let (jobs, skipped, tensorOrder) = try plan(source, options: options, order: layerOrder)
            return (jobs, skipped, OrderInfo(layerOrder, tensors: tensorOrder))
        }
        let jobs = (try? planned.get().jobs) ?? []
        let costs = jobs.map { Scheduling.cost($0.matrices) }
        let order = Scheduling.largestFirst(costs)
        let slots = JobQueue<[LayerReport]>(order: order, costs: costs, names: jobs.map(\.descriptor.name))
        let handedOut = { (_: Int) in
            _ = slots.claim()   // the same order: marks the item as running, for progress
            progress?(slots.progress)
        }
        let failure = try WorkList.serve(order: order, names: jobs.map(\.descriptor.name), channel: channel,
                                         handedOut: handedOut) { item, bytes in
            let spectra = try JobSpectra(decoding: bytes)
            guard spectra.rows.count == jobs[item].rowCount else {
                throw RemoteError("a rank sent \(spectra.rows.count) rows for \(jobs[item].descriptor.name), expected \(jobs[item].rowCount)")
            }
            let rows = reports(jobs[item], spectra.rows, options: options, comparison: source.comparison != nil, timings: timings)
            if let keepEigenvalues {
                for (report, esd) in rows { if let esd { try keepEigenvalues(report, esd) } }
            }
            slots.store(rows.map(\.0), at: item)
            progress?(slots.progress)
        }
        let (_, skipped, layerOrder) = try planned.get()
        if let failure { throw RemoteError(failure) }
        return report(source, options: options, layers: slots.values().flatMap { $0 }, skipped: skipped, order: layerOrder)
    }

    /// A rank > 0 of a distributed analysis: computes the spectra of the layers rank 0 assigns,
    /// reading only their bytes, on `threads` workers. `open` is called once, on the first
    /// assignment (a rank that is never given a layer does not open the checkpoint); `order`
    /// gives the layer order rank 0 was given (nil: the source's `forwardOrder()`).
    public static func serveSpectra(open: @escaping @Sendable () throws -> TensorSource, options: AnalysisOptions,
                                    order: @escaping @Sendable (TensorSource) throws -> LayerOrder? = { _ in nil },
                                    threads: Int, channel: MessageChannel) throws {
        let planned = Once { () throws -> (TensorSource, [Job]) in
            let source = try open()
            return (source, try plan(source, options: options, order: try order(source) ?? source.forwardOrder()).jobs)
        }
        BLASThreads.set(1)
        let rank = channel.rank
        try WorkList.work(threads: threads, channel: channel) { item, name, panels in
            let (source, jobs) = try planned.value()
            guard jobs.indices.contains(item), jobs[item].descriptor.name == name else {
                throw RemoteError("\(source.label): rank \(rank) does not see layer \(name) at position \(item); every rank must read the same checkpoint")
            }
            let spectra = try spectra(of: jobs[item], from: source, options: options, timings: nil, panels: panels)
            return JobSpectra(rows: spectra).encoded()
        }
    }
}

/// A value computed once, on first use, from any thread (its error is kept too).
final class Once<T>: @unchecked Sendable {  // `result` is guarded by `lock`
    private let lock = NSLock()
    private let make: () throws -> T
    private var result: Result<T, Error>?

    init(_ make: @escaping () throws -> T) { self.make = make }

    func value() throws -> T {
        lock.lock(); defer { lock.unlock() }
        if result == nil { result = Result { try make() } }
        return try result!.get()
    }
}
