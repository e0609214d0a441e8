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
            return Layer(name: name, alpha: entries.map { $0?.alpha }, learningRate: entries.map { $0?.learningRate })
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
