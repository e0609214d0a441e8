import Checkpoint

/// The lines of a training log as JSON values: `json` is what the writer appends, the
/// `init(json:)`s are what the reader accepts (missing or mistyped optional fields read as nil).
extension TrainingLog.Run {
    public var json: JSONValue {
        .object([
            JSONMember(key: "kind", value: .string("run")), JSONMember(key: "format", value: .string(TrainingLog.formatName)),
            JSONMember(key: "version", value: .int(TrainingLog.currentVersion)), JSONMember(key: "model", value: .string(model)),
            JSONMember(key: "task", value: .string(task)), JSONMember(key: "data", value: .string(data)),
            JSONMember(key: "seed", value: seed.map { .int($0) } ?? .null), JSONMember(key: "policy", value: .string(policy)),
            JSONMember(key: "args", value: args), JSONMember(key: "layers", value: .strings(layers)),
        ] + details)
    }

    /// The known members of a run line; every other member (but `kind`, `format`, `version`) is a detail.
    static let keys: Set<String> = ["kind", "format", "version", "model", "task", "data", "seed", "policy", "args", "layers"]

    init(json o: JSONValue) {
        self.init(model: o["model"]?.stringValue ?? "", task: o["task"]?.stringValue ?? "", data: o["data"]?.stringValue ?? "",
                  seed: TrainingLog.integer(o["seed"]).flatMap { UInt64(exactly: $0) }, policy: o["policy"]?.stringValue ?? "",
                  args: o["args"] ?? .object([]), layers: o["layers"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                  details: (o.objectMembers ?? []).filter { !Self.keys.contains($0.key) })
    }
}

extension TrainingLog.Interval {
    public var json: JSONValue {
        let known: [JSONMember] = [
            JSONMember(key: "kind", value: .string("interval")), JSONMember(key: "step", value: .int(step)),
            JSONMember(key: "epoch", value: .double(epoch)), JSONMember(key: "lr", value: .double(learningRate)),
            JSONMember(key: "train_loss", value: .double(trainLoss)), JSONMember(key: "metrics", value: TrainingLog.json(metrics)),
            JSONMember(key: "layers", value: .array(layers.map { l in
                .members(["name": .string(l.name), "alpha": .double(l.alpha), "lr": .double(l.learningRate),
                          "multiplier": .double(l.multiplier)])
            })),
        ]
        return .object(known + details + [JSONMember(key: "seconds", value: .double(seconds))])
    }

    /// The known members of an interval line; every other member (but `kind`) is a detail.
    static let keys: Set<String> = ["kind", "step", "epoch", "lr", "train_loss", "metrics", "layers", "seconds"]

    /// nil without an integer `step`.
    init?(json o: JSONValue) {
        guard let step = TrainingLog.integer(o["step"]) else { return nil }
        let layers = (o["layers"]?.arrayValue ?? []).compactMap { l -> TrainingLog.LayerEntry? in
            guard let name = l["name"]?.stringValue else { return nil }
            return TrainingLog.LayerEntry(name: name, alpha: TrainingLog.number(l["alpha"]), learningRate: TrainingLog.number(l["lr"]),
                                          multiplier: TrainingLog.number(l["multiplier"]))
        }
        self.init(step: step, epoch: TrainingLog.number(o["epoch"]), learningRate: TrainingLog.number(o["lr"]),
                  trainLoss: TrainingLog.number(o["train_loss"]), metrics: TrainingLog.values(o["metrics"]), layers: layers,
                  seconds: TrainingLog.number(o["seconds"]), details: (o.objectMembers ?? []).filter { !Self.keys.contains($0.key) })
    }
}

extension TrainingLog.Final {
    public var json: JSONValue {
        .members([
            "kind": .string("final"), "step": step.map { .int($0) } ?? .null, "metrics": TrainingLog.json(metrics),
            "best": best.map { b in
                .members(["step": b.step.map { .int($0) } ?? .null, "metric": .string(b.metric), "value": .double(b.value)])
            } ?? .null,
            "timing": TrainingLog.json(timing), "seconds": .double(seconds),
        ])
    }

    init(json o: JSONValue) {
        var best: TrainingLog.Best?
        if let b = o["best"], let metric = b["metric"]?.stringValue {
            best = TrainingLog.Best(step: TrainingLog.integer(b["step"]), metric: metric, value: TrainingLog.number(b["value"]))
        }
        self.init(step: TrainingLog.integer(o["step"]), metrics: TrainingLog.values(o["metrics"]), best: best,
                  timing: TrainingLog.values(o["timing"]), seconds: TrainingLog.number(o["seconds"]))
    }
}

extension TrainingLog {
    /// Named values as an object in their order.
    static func json(_ values: [Value]) -> JSONValue { .object(values.map { JSONMember(key: $0.name, value: .double($0.value)) }) }

    /// A finite number, else nil (null, missing, another type).
    static func number(_ v: JSONValue?) -> Double? { v?.doubleValue }

    /// An integral number below 10^15 in magnitude, else nil.
    static func integer(_ v: JSONValue?) -> Int? {
        guard let d = number(v), d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    /// An object's members as named values (a non-number reads as nil).
    static func values(_ v: JSONValue?) -> [Value] { (v?.objectMembers ?? []).map { Value($0.key, number($0.value)) } }
}
