import Foundation
import Spectrum
import Testing
@testable import Analyzer

/// Ranks as threads: every rank has a queue of messages; `receive` takes the first one that
/// matches (as MPI matches by source and tag, in the order sent between a pair).
final class ThreadNetwork: @unchecked Sendable {  // `queues` is guarded by `condition`
    let size: Int
    private let condition = NSCondition()
    private var queues: [[ChannelMessage]]

    init(size: Int) {
        self.size = size
        queues = Array(repeating: [], count: size)
    }

    final class Endpoint: MessageChannel, @unchecked Sendable {  // only its rank's thread uses it
        let network: ThreadNetwork
        let rank: Int
        var size: Int { network.size }
        init(network: ThreadNetwork, rank: Int) { self.network = network; self.rank = rank }

        func send(_ bytes: [UInt8], tag: Int, to: Int) throws {
            network.condition.lock()
            network.queues[to].append(ChannelMessage(source: rank, tag: tag, bytes: bytes))
            network.condition.broadcast()
            network.condition.unlock()
        }

        func receive(from: Int?, tag: Int?) throws -> ChannelMessage {
            network.condition.lock(); defer { network.condition.unlock() }
            while true {
                if let i = network.queues[rank].firstIndex(where: { (from == nil || $0.source == from) && (tag == nil || $0.tag == tag) }) {
                    return network.queues[rank].remove(at: i)
                }
                network.condition.wait()
            }
        }
    }

    func endpoint(_ rank: Int) -> Endpoint { Endpoint(network: self, rank: rank) }
}

/// A source whose reads of one tensor fail (a file that changed under the run).
struct FailingSource: TensorSource {
    let inner: InMemorySource
    let failing: String
    var label: String { inner.label }
    var formatName: String { inner.formatName }
    var descriptors: [TensorDescriptor] { inner.descriptors }
    func readDoubles(_ d: TensorDescriptor) throws -> [Double] {
        if d.name == failing { throw AnalysisError.invalidOption("cannot read \(d.name)") }
        return try inner.readDoubles(d)
    }
}

/// JSON re-serialised with sorted keys (object key order is not yet stable between runs).
func normalized(_ json: Data) throws -> Data {
    try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: json), options: [.sortedKeys])
}

@Suite struct DistributedTests {
    let source = InMemorySource(label: "model", tensors: [
        ("a.weight", [700, 600], gaussian(count: 700 * 600, seed: 11)),
        ("b.weight", [96, 40], gaussian(count: 96 * 40, seed: 12)),
        ("conv.weight", [8, 6, 3, 3], gaussian(count: 8 * 6 * 9, seed: 13)),
        ("c.weight", [300, 640], gaussian(count: 300 * 640, seed: 14)),
        ("bias", [10], [Double](repeating: 1, count: 10)),
    ])

    /// Runs rank 0 and `size − 1` working ranks (each with `threads` threads) on threads.
    func distributed(_ source: TensorSource, options o: AnalysisOptions, size: Int, threads: Int = 2) throws -> AnalysisReport {
        let network = ThreadNetwork(size: size)
        let group = DispatchGroup()
        let errors = Events()
        for rank in 1..<size {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let channel = network.endpoint(rank)
                do {
                    try Analyzer.serveSpectra(open: { source }, options: o, threads: threads, channel: channel)
                    #expect(try WorkList.awaitFinish(channel: channel) == 7)
                } catch {
                    errors.append(AnalysisProgress(finished: 0, total: 0, running: ["\(error)"], finishedWork: 0, totalWork: 0))
                }
            }
        }
        let channel = network.endpoint(0)
        defer {
            try? WorkList.finish(status: 7, channel: channel)
            group.wait()
            #expect(errors.all.isEmpty)
        }
        return try Analyzer.coordinate(source, options: o, channel: channel)
    }

    /// The report rank 0 makes from the ranks' spectra is the single process's, for any number
    /// of ranks (more ranks than layers too) and with the options that need the weights.
    @Test(arguments: [2, 3, 7])
    func sameReportAsOneProcess(size: Int) throws {
        for o in [options(), options { $0.randomize = true; $0.farms = FARMSSettings(rows: 50, q: 1, ops: 2); $0.pool = false }] {
            let single = try Analyzer.analyze(source, options: o)
            let many = try distributed(source, options: o, size: size)
            #expect(many == single)
            // JSON compared with sorted keys until the writer's key order is fixed.
            #expect(try normalized(many.jsonData()) == normalized(single.jsonData()))
        }
    }

    /// A layer that fails on a rank fails the run with that layer's error, as in one process.
    @Test func aRanksErrorIsTheRunsError() throws {
        let failing = FailingSource(inner: source, failing: "c.weight")
        #expect(throws: RemoteError("cannot read c.weight")) {
            _ = try distributed(failing, options: options(), size: 3)
        }
        #expect(throws: AnalysisError.self) { _ = try Analyzer.analyze(failing, options: options()) }
    }
}
