import Analyzer
import Foundation

extension Terminal.ProgressLine {
    /// Shows an analysis's progress: layers done/total, the share of the estimated work done,
    /// the layer(s) running, the elapsed time and an ETA from the work done so far.
    func update(_ p: AnalysisProgress) {
        show(Self.text(p, elapsed: Date().timeIntervalSince(started)))
    }

    static func text(_ p: AnalysisProgress, elapsed: TimeInterval) -> String {
        let share = p.totalWork > 0 ? p.finishedWork / p.totalWork : 0
        var parts = ["[\(p.finished)/\(p.total) \(Int((100 * share).rounded(.down)))%]"]
        if let first = p.running.first {
            parts.append(p.running.count > 1 ? "\(first) +\(p.running.count - 1)" : first)
        }
        var time = clock(elapsed) + " elapsed"
        if share > 0 && share < 1 { time += ", ETA " + clock(elapsed * (1 - share) / share) }
        parts.append(time)
        return parts.joined(separator: " · ")
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func clock(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
