import Checkpoint

/// A training log, `OUT/log.jsonl`: format `htsr-train-log`, version 1. This type owns the
/// format: the trainers write it with `TrainingLogWriter` and `TrainingLog.load` reads it.
///
/// JSON Lines, one object per line, each with a `kind`:
/// - `run`, the first line: `format`, `version`, `model`, `task` (`classification` or
///   `regression`), `data`, `seed`, `policy`, `args` (the run's options), `layers` (the analysed
///   layers in depth order), then facts of the trainer (`Run.details`: sizes, steps per epoch…).
/// - `interval`, one per logging interval: `step`, `epoch`, `lr` (the global rate),
///   `train_loss`, `metrics` (name → value), `layers` (`name`, `alpha`, `lr`, `multiplier`),
///   further members of the trainer (`Interval.details`), `seconds` since the start.
/// - `final`, when the run finished: `step`, `metrics`, `best` (`step`, `metric`, `value`),
///   `timing` (name → seconds), `seconds`.
///
/// NaN, ±∞ and missing values are written as `null`. Readers skip blank lines and ignore
/// unknown keys and kinds, so later versions may add both.
public struct TrainingLog: Sendable, Equatable {
    public static let formatName = "htsr-train-log"
    public static let currentVersion = 1

    /// A named number (a metric, a timing); nil is written as `null`.
    public struct Value: Sendable, Equatable {
        public var name: String
        public var value: Double?
        public init(_ name: String, _ value: Double?) { self.name = name; self.value = value }
    }

    /// The `run` line.
    public struct Run: Sendable, Equatable {
        public var model: String
        public var task: String
        public var data: String
        public var seed: UInt64?
        public var policy: String
        /// The run's options as the trainer's config encodes them.
        public var args: JSONValue
        /// The analysed layers in depth order.
        public var layers: [String]
        /// Further members of the trainer, written after `layers` in this order.
        public var details: [JSONMember]

        public init(model: String, task: String, data: String, seed: UInt64?, policy: String, args: JSONValue,
                    layers: [String], details: [JSONMember] = []) {
            self.model = model; self.task = task; self.data = data; self.seed = seed; self.policy = policy
            self.args = args; self.layers = layers; self.details = details
        }
    }

    /// One layer of an `interval` line.
    public struct LayerEntry: Sendable, Equatable {
        public var name: String
        public var alpha: Double?
        public var learningRate: Double?
        public var multiplier: Double?
        public init(name: String, alpha: Double?, learningRate: Double?, multiplier: Double?) {
            self.name = name; self.alpha = alpha; self.learningRate = learningRate; self.multiplier = multiplier
        }
    }

    /// An `interval` line.
    public struct Interval: Sendable, Equatable {
        public var step: Int
        public var epoch: Double?
        /// The global (scheduled) learning rate.
        public var learningRate: Double?
        public var trainLoss: Double?
        public var metrics: [Value]
        public var layers: [LayerEntry]
        public var seconds: Double?
        /// Further members of the trainer (e.g. the fine-tuner's per-block α and multipliers),
        /// written after `layers` in this order.
        public var details: [JSONMember]
        public init(step: Int, epoch: Double?, learningRate: Double?, trainLoss: Double?, metrics: [Value],
                    layers: [LayerEntry], seconds: Double?, details: [JSONMember] = []) {
            self.step = step; self.epoch = epoch; self.learningRate = learningRate; self.trainLoss = trainLoss
            self.metrics = metrics; self.layers = layers; self.seconds = seconds; self.details = details
        }

        /// The value of metric `name`, if logged.
        public func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
    }

    /// The best value of a metric over the run and where it was reached.
    public struct Best: Sendable, Equatable {
        public var step: Int?
        public var metric: String
        public var value: Double?
        public init(step: Int?, metric: String, value: Double?) { self.step = step; self.metric = metric; self.value = value }
    }

    /// The `final` line.
    public struct Final: Sendable, Equatable {
        public var step: Int?
        public var metrics: [Value]
        public var best: Best?
        public var timing: [Value]
        public var seconds: Double?
        public init(step: Int?, metrics: [Value], best: Best?, timing: [Value], seconds: Double?) {
            self.step = step; self.metrics = metrics; self.best = best; self.timing = timing; self.seconds = seconds
        }
    }

    /// The file it was read from (for messages).
    public var file: String
    public var run: Run
    public var intervals: [Interval]
    /// nil while the run is going (or when it stopped early).
    public var final: Final?

    public init(file: String, run: Run, intervals: [Interval], final: Final?) {
        self.file = file; self.run = run; self.intervals = intervals; self.final = final
    }

    /// The names of the metrics with a value in some interval, sorted.
    public var metricNames: [String] {
        Array(Set(intervals.flatMap { $0.metrics.filter { $0.value != nil }.map(\.name) })).sorted()
    }

    /// The layer names in depth order: the run line's list, then any others the intervals name.
    public var layerNames: [String] {
        var names = run.layers
        var seen = Set(names)
        for i in intervals { for l in i.layers where seen.insert(l.name).inserted { names.append(l.name) } }
        return names
    }
}

extension TrainingLog {
    /// A run's options as the log's `args` (and the weights' `htsr_config`) hold them: the
    /// config's Codable form, keys sorted.
    public static func options<T: Encodable>(_ config: T) throws -> JSONValue { try JSONValueEncoder(sortedKeys: true).encode(config) }
}
