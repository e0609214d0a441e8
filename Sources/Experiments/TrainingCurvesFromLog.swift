import Foundation
import Plot
import Train

/// The bridge from a training log (Train owns its format and reader) to the arrays Plot's
/// training figures draw.
extension TrainingCurves {
    /// One entry per interval line; the layers in the log's depth order; the best value of the
    /// final line when it has a step and a value.
    public init(_ log: TrainingLog) {
        var metricNames: [String] = []
        for i in log.intervals { for m in i.metrics where !metricNames.contains(m.name) { metricNames.append(m.name) } }
        let layers = log.layerNames.map { name in
            let entries = log.intervals.map { i in i.layers.first { $0.name == name } }
            return Layer(name: name, alpha: entries.map { $0?.alpha }, learningRate: entries.map { $0?.learningRate },
                         multiplier: entries.map { $0?.multiplier })
        }
        var best: Best?
        if let b = log.final?.best, let step = b.step, let value = b.value { best = Best(step: step, metric: b.metric, value: value) }
        self.init(model: log.run.model, data: log.run.data, policy: log.run.policy, steps: log.intervals.map(\.step),
                  trainLoss: log.intervals.map(\.trainLoss), learningRate: log.intervals.map(\.learningRate),
                  metrics: metricNames.map { name in Curve(name, log.intervals.map { $0.metric(name) }) },
                  layers: layers, best: best)
    }

    /// Reads the training log at `path` with Train's reader.
    /// - Throws: `TrainingLogError` naming the file: the reader's errors, or a log without
    ///   interval lines yet (nothing to plot).
    public static func load(log path: String) throws -> TrainingCurves {
        let log = try TrainingLog.load(path)
        guard !log.intervals.isEmpty else { throw TrainingLogError(file: path, line: nil, problem: "no interval lines yet; nothing to plot") }
        return TrainingCurves(log)
    }
}

/// How several runs given to `htsr plot` are grouped into the overlaid curves (a group is one
/// colour: its runs' mean and min–max band).
public enum RunGrouping: String, Sendable, CaseIterable {
    /// By the run's name without a seed suffix: `base-s1`, `base_seed2`, `base-3` → `base`.
    case name
    /// By the log's policy: `none` → baseline, `tempbalance` → TempBalance.
    case policy
    /// Every run on its own.
    case none
}

extension TrainingRunGroup {
    /// A run's name: the folder of `DIR/log.jsonl`, else the file's name without `.jsonl`.
    public static func runName(log path: String) -> String {
        let url = URL(fileURLWithPath: path)
        if url.lastPathComponent == "log.jsonl" { return url.deletingLastPathComponent().lastPathComponent }
        return url.deletingPathExtension().lastPathComponent
    }

    /// The name without a trailing seed suffix (`-s1`, `_seed2`, `.s3`, `-4`, `seed5`); the
    /// name itself when nothing else would be left.
    public static func strippingSeed(_ name: String) -> String {
        guard let match = name.firstMatch(of: /(?:[-_.](?:s|seed)?|seed)[0-9]+$/) else { return name }
        let stem = String(name[..<match.range.lowerBound])
        return stem.isEmpty ? name : stem
    }

    /// The display name of a policy: `none` → baseline, `tempbalance` → TempBalance.
    public static func policyName(_ policy: String) -> String {
        switch policy {
        case "none": return "baseline"
        case "tempbalance": return "TempBalance"
        default: return policy
        }
    }

    /// Reads each log with Train's reader and groups the runs, groups in the order their first
    /// run was given.
    /// - Throws: `TrainingLogError` naming a log that cannot be read or has no intervals, or one
    ///   given twice.
    public static func load(logs: [String], grouping: RunGrouping) throws -> [TrainingRunGroup] {
        var seen = Set<String>()
        var groups: [TrainingRunGroup] = []
        for path in logs {
            guard seen.insert(URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path).inserted else {
                throw TrainingLogError(file: path, line: nil, problem: "given twice; each run is drawn once")
            }
            let curves = try TrainingCurves.load(log: path)
            let name: String
            switch grouping {
            case .name: name = strippingSeed(runName(log: path))
            case .policy: name = policyName(curves.policy)
            case .none: name = runName(log: path)
            }
            if grouping != .none, let i = groups.firstIndex(where: { $0.name == name }) {
                groups[i].runs.append(curves)
            } else if grouping == .none, groups.contains(where: { $0.name == name }) {
                // Two runs of the same folder name from different places: name them by path.
                let url = URL(fileURLWithPath: path)
                groups.append(TrainingRunGroup(name: url.lastPathComponent == "log.jsonl" ? url.deletingLastPathComponent().relativePath : path,
                                               runs: [curves]))
            } else {
                groups.append(TrainingRunGroup(name: name, runs: [curves]))
            }
        }
        return groups
    }
}
