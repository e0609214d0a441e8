import Checkpoint
import Foundation
import Spectrum
import Testing
@testable import Analyzer

/// Largest-first scheduling, idle workers helping with Gram panels, the spectra that a
/// distributed run sends between ranks, and progress.
@Suite struct SchedulingTests {
    /// Layers with Gram orders above the panel width (512), tall, wide and square.
    let source = InMemorySource(tensors: [
        ("small.weight", [64, 32], gaussian(count: 64 * 32, seed: 1)),
        ("tall.weight", [1100, 600], gaussian(count: 1100 * 600, seed: 2)),
        ("wide.weight", [560, 1300], gaussian(count: 560 * 1300, seed: 3)),
        ("square.weight", [700, 700], gaussian(count: 700 * 700, seed: 4)),
    ])

    /// The rows do not depend on the number of workers or on who computed which Gram panel.
    @Test func resultsDoNotDependOnTheSchedule() throws {
        let one = try Analyzer.analyze(source, options: options { $0.threads = 1 })
        for threads in [2, 4] {
            let many = try Analyzer.analyze(source, options: options { $0.threads = threads })
            #expect(many.layers == one.layers, "threads \(threads)")
        }
        #expect(one.layers.map(\.name) == ["small.weight", "tall.weight", "wide.weight", "square.weight"])
    }

    @Test func largestCostFirst() {
        let costs = [1.0, 5, 3, 5, 0.5]
        #expect(Scheduling.largestFirst(costs) == [1, 3, 2, 0, 4])
        let tall = WeightMatrices(kind: .linear, shape: [11008, 4096], layout: .pytorch)
        let square = WeightMatrices(kind: .linear, shape: [4096, 4096], layout: .pytorch)
        let embedding = WeightMatrices(kind: .embedding, shape: [32000, 4096], layout: .pytorch)
        #expect(Scheduling.cost(embedding) > Scheduling.cost(tall) && Scheduling.cost(tall) > Scheduling.cost(square))
    }

    /// Retired workers take panels of the running ones; every panel runs exactly once.
    @Test func helpersRunEveryPanelOnce() {
        let helpers = PanelHelpers()
        let counts = Counter(size: 3 * 64)
        helpers.begin()   // worker 0 holds a layer before the helpers look for one
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread.detachNewThread { helpers.retire(); group.leave() }
        }
        for task in 0..<3 {
            helpers.runner(64) { p in
                counts.add(task * 64 + p)
                Thread.sleep(forTimeInterval: 0.0005)
            }
        }
        helpers.end()
        helpers.retire()
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(counts.values == [Int](repeating: 1, count: 3 * 64))
    }

    @Test func progressCoversEveryLayer() throws {
        let events = Events()
        _ = try Analyzer.analyze(source, options: options { $0.threads = 2 }, progress: { events.append($0) })
        let last = try #require(events.all.last)
        #expect(last.finished == 4 && last.total == 4 && last.running.isEmpty)
        #expect(last.finishedWork == last.totalWork && last.totalWork > 0)
        // The largest layer (by estimated cost) starts first; every layer is seen running.
        #expect(events.all.first?.running == ["square.weight"])
        #expect(Set(events.all.flatMap(\.running)) == Set(source.descriptors.map(\.name)))
    }

    /// A wide BF16 layer (read as Float, Gram summed over column blocks) has the spectrum of the
    /// same values stored as F64 (read whole in Double).
    @Test func wideLayerFromFloatStorage() throws {
        let rows = 300, cols = 1100
        let values = gaussian(count: rows * cols, seed: 9).map { Float($0) }
        let bf16 = values.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
        let exact = bf16.map { Double(Float(bitPattern: UInt32($0) << 16)) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-wide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = bf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let b = folder.appendingPathComponent("b.safetensors").path, d = folder.appendingPathComponent("d.safetensors").path
        try SafetensorsWriter.write([WritableTensor(name: "w.weight", dtype: .BF16, shape: [rows, cols], bytes: bytes)], metadata: [:], to: b)
        try SafetensorsWriter.write([WritableTensor(name: "w.weight", shape: [rows, cols], doubles: exact)], metadata: [:], to: d)
        let fromFloats = try Analyzer.analyze(try Checkpoint.open(b), options: options())
        let fromDoubles = try Analyzer.analyze(try Checkpoint.open(d), options: options())
        let x = try #require(fromFloats.layers.first?.metrics), y = try #require(fromDoubles.layers.first?.metrics)
        #expect(abs(x.lambdaMax - y.lambdaMax) <= 1e-13 * y.lambdaMax)
        #expect(abs(x.norm - y.norm) <= 1e-12 * y.norm)
        #expect(fromFloats.layers[0].numEvals == rows)
    }
}

/// The spectra a rank sends: decoded bit for bit; malformed messages are errors, never traps.
@Suite struct SpectraMessageTests {
    let message = JobSpectra(rows: [
        RowSpectra(layer: .eigenvalues([0, 1.5, .pi, 1e300, Double(bitPattern: 1)]),
                   randomized: .eigenvalues([2, 3]),
                   farms: .spectrum(FARMSSpectrum(eigenvalues: [1, 2, 4],
                                                  windows: FARMSWindows(rows: 2, cols: 3, rowStarts: [0, 5], colStarts: [1]),
                                                  windowCount: 18))),
        RowSpectra(layer: .nonFinite(count: 7)),
        RowSpectra(layer: .failed("LAPACK dsyevd failed to converge (info = 3) — é"), randomized: nil, farms: nil),
        RowSpectra(layer: .eigenvalues([]), randomized: .failed("x"), farms: .noWindow),
        RowSpectra(layer: .eigenvalues([1]), randomized: nil, farms: .failed("y")),
    ])

    @Test func roundTrip() throws {
        #expect(try JobSpectra(decoding: message.encoded()) == message)
        #expect(try JobSpectra(decoding: JobSpectra(rows: []).encoded()) == JobSpectra(rows: []))
    }

    @Test func everyTruncationIsAnError() {
        let bytes = message.encoded()
        for n in 0..<bytes.count {
            #expect(throws: JobSpectra.DecodingError.self) { try JobSpectra(decoding: Array(bytes[0..<n])) }
        }
        #expect(throws: JobSpectra.DecodingError.self) { try JobSpectra(decoding: bytes + [0]) }
    }

    @Test func liesAboutSizesAreErrors() {
        var w = ByteWriter()
        w.int(1); w.byte(0); w.int(Int.max)        // a row whose eigenvalue count is absurd
        #expect(throws: JobSpectra.DecodingError.self) { try JobSpectra(decoding: w.bytes) }
        var v = ByteWriter()
        v.int(-1)
        #expect(throws: JobSpectra.DecodingError.self) { try JobSpectra(decoding: v.bytes) }
        var t = ByteWriter()
        t.int(1); t.byte(9)
        #expect(throws: JobSpectra.DecodingError.self) { try JobSpectra(decoding: t.bytes) }
    }
}

/// Thread-safe counters for the tests.
final class Counter: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var counts: [Int]
    init(size: Int) { counts = [Int](repeating: 0, count: size) }
    func add(_ i: Int) { lock.lock(); counts[i] += 1; lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return counts }
}

final class Events: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var events: [AnalysisProgress] = []
    func append(_ e: AnalysisProgress) { lock.lock(); events.append(e); lock.unlock() }
    var all: [AnalysisProgress] { lock.lock(); defer { lock.unlock() }; return events }
}
