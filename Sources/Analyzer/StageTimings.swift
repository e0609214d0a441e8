import Dispatch
import Foundation
import Synchronization

/// The stages of an analysis, for `--timings`.
public enum Stage: String, Sendable, CaseIterable {
    case read, spectra, fits, tpl, fingers, mp, randomization, farms, output
}

/// Seconds spent per stage, summed over worker threads (thread-safe).
///
/// With several workers the stage sums can exceed the wall time; their total divided by the
/// wall time is the parallel efficiency.
public final class StageTimings: Sendable {
    private let seconds = Mutex<[Stage: Double]>([:])

    public init() {}

    public func add(_ stage: Stage, _ s: Double) {
        seconds.withLock { $0[stage, default: 0] += s }
    }

    /// Runs `body` and adds its duration to `stage`.
    @discardableResult
    public func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(stage, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    public func seconds(_ stage: Stage) -> Double {
        seconds.withLock { $0[stage] ?? 0 }
    }

    private static func line(_ name: String, _ seconds: Double) -> String {
        "  " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds)
    }

    /// One line per stage that took time, then the sum: `stage  seconds`.
    public func report(wall: Double? = nil) -> String {
        var lines: [String] = []
        var total = 0.0
        for stage in Stage.allCases {
            let s = seconds(stage)
            guard s > 0 else { continue }
            total += s
            lines.append(Self.line(stage.rawValue, s))
        }
        lines.append(Self.line("sum", total) + " (thread-seconds over all workers)")
        if let wall { lines.append(Self.line("wall", wall)) }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Optional where Wrapped == StageTimings {
    /// `measure` when timing, else just `body`.
    @inline(__always)
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        switch self {
        case let .some(t): return try t.measure(stage, body)
        case .none: return try body()
        }
    }
}
