import Foundation

/// A training log (`runs/NAME/log.jsonl`, format `htsr-train-log` version 1): what the training
/// figures read. Format: JSON Lines, one object per line with a `kind`: a first `run` line,
/// one `interval` line per logging interval, and a `final` line when the run finished.
/// Unknown keys and kinds are ignored; blank lines are skipped.
public struct TrainingLog: Sendable, Equatable {
    public static let formatName = "htsr-train-log"
    public static let currentVersion = 1

    public struct Run: Sendable, Equatable {
        public var model: String
        public var task: String
        public var data: String
        public var policy: String
        public var seed: Int?
        /// The analysed layers in depth order.
        public var layers: [String]
    }

    public struct LayerEntry: Sendable, Equatable {
        public var name: String
        public var alpha: Double?
        public var learningRate: Double?
        public var multiplier: Double?
    }

    public struct Interval: Sendable, Equatable {
        public var step: Int
        public var epoch: Double?
        public var learningRate: Double?
        public var trainLoss: Double?
        public var metrics: [String: Double]
        public var layers: [LayerEntry]
        public var seconds: Double?
    }

    public struct Best: Sendable, Equatable {
        public var step: Int
        public var metric: String
        public var value: Double
    }

    public struct Final: Sendable, Equatable {
        public var step: Int?
        public var metrics: [String: Double]
        public var best: Best?
        public var seconds: Double?
    }

    /// The file it was read from (for messages).
    public var file: String
    public var run: Run
    public var intervals: [Interval]
    public var final: Final?

    /// All metric names in the intervals, sorted.
    public var metricNames: [String] { Array(Set(intervals.flatMap { $0.metrics.keys })).sorted() }

    /// The layer names in depth order: the run line's list, then any others the intervals name.
    public var layerNames: [String] {
        var names = run.layers
        var seen = Set(names)
        for i in intervals { for l in i.layers where seen.insert(l.name).inserted { names.append(l.name) } }
        return names
    }

    /// Reads and checks a log.
    ///
    /// - Throws: `PlotError.invalidTrainingLog` naming the file (and line): unreadable file, a line
    ///   that is not a JSON object, a first line that is not a `run` of this format and version,
    ///   an `interval` without an integer `step`.
    public static func load(_ path: String) throws -> TrainingLog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlotError.invalidTrainingLog(file: path, line: nil, problem: "cannot read the file")
        }
        return try parse(data, file: path)
    }

    /// Parses the bytes of a log; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> TrainingLog {
        func fail(_ line: Int?, _ problem: String) -> PlotError { .invalidTrainingLog(file: file, line: line, problem: problem) }
        var run: Run?
        var intervals: [Interval] = []
        var final: Final?
        var lineNumber = 0
        for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Data(rawLine)
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard case let .object(object)? = try? JSONDecoder().decode(JSON.self, from: line) else {
                throw fail(lineNumber, "not a JSON object (each line of a training log is one)")
            }
            let kind = object["kind"]?.string
            if run == nil {
                guard kind == "run" else { throw fail(lineNumber, "the first line must have \"kind\": \"run\"") }
                guard object["format"]?.string == formatName else {
                    throw fail(lineNumber, "not an htsr training log (format is '\(object["format"]?.string ?? "missing")', expected '\(formatName)')")
                }
                guard let v = Self.integer(object["version"]), v == currentVersion else {
                    throw fail(lineNumber, "training log version \(Self.integer(object["version"]).map(String.init) ?? "missing") is not supported (this htsr reads version \(currentVersion))")
                }
                run = Run(model: object["model"]?.string ?? "", task: object["task"]?.string ?? "",
                          data: object["data"]?.string ?? "", policy: object["policy"]?.string ?? "",
                          seed: Self.integer(object["seed"]), layers: object["layers"]?.array?.compactMap(\.string) ?? [])
                continue
            }
            switch kind {
            case "interval":
                guard let step = Self.integer(object["step"]) else { throw fail(lineNumber, "an interval needs an integer \"step\"") }
                let layers = (object["layers"]?.array ?? []).compactMap { item -> LayerEntry? in
                    guard let l = item.object, let name = l["name"]?.string else { return nil }
                    return LayerEntry(name: name, alpha: Self.number(l["alpha"]), learningRate: Self.number(l["lr"]), multiplier: Self.number(l["multiplier"]))
                }
                intervals.append(Interval(step: step, epoch: Self.number(object["epoch"]), learningRate: Self.number(object["lr"]),
                                          trainLoss: Self.number(object["train_loss"]), metrics: Self.numbers(object["metrics"]),
                                          layers: layers, seconds: Self.number(object["seconds"])))
            case "final":
                var best: Best?
                if let b = object["best"]?.object, let step = Self.integer(b["step"]), let metric = b["metric"]?.string,
                   let value = Self.number(b["value"]) {
                    best = Best(step: step, metric: metric, value: value)
                }
                final = Final(step: Self.integer(object["step"]), metrics: Self.numbers(object["metrics"]), best: best, seconds: Self.number(object["seconds"]))
            default:
                continue
            }
        }
        guard let run else { throw fail(nil, "empty training log (no \"run\" line)") }
        return TrainingLog(file: file, run: run, intervals: intervals, final: final)
    }

    /// A finite JSON number, else nil (null, missing, or another type).
    static func number(_ v: JSON?) -> Double? {
        if case let .number(d)? = v, d.isFinite { return d }
        return nil
    }

    static func integer(_ v: JSON?) -> Int? {
        guard let d = Self.number(v), d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    static func numbers(_ v: JSON?) -> [String: Double] {
        var out: [String: Double] = [:]
        for (k, x) in v?.object ?? [:] { if let d = Self.number(x) { out[k] = d } }
        return out
    }
}

/// A JSON value, decoded strictly (booleans are never numbers).
enum JSON: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }

    var string: String? { if case let .string(s) = self { return s } else { return nil } }
    var array: [JSON]? { if case let .array(a) = self { return a } else { return nil } }
    var object: [String: JSON]? { if case let .object(o) = self { return o } else { return nil } }
}
