/// What the training figures draw: plain arrays with one entry per logged step. Plot does not
/// read training logs; whoever does (Experiments, from Train's reader) fills this in.
public struct TrainingCurves: Sendable, Equatable {
    /// A named series with one value per step (nil: nothing logged at that step).
    public struct Curve: Sendable, Equatable {
        public var name: String
        public var values: [Double?]
        public init(_ name: String, _ values: [Double?]) { self.name = name; self.values = values }
    }

    /// One layer's α, learning rate and multiplier (its rate over the global one) per step.
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var alpha: [Double?]
        public var learningRate: [Double?]
        /// Empty when the log has no multipliers.
        public var multiplier: [Double?]
        public init(name: String, alpha: [Double?], learningRate: [Double?], multiplier: [Double?] = []) {
            self.name = name; self.alpha = alpha; self.learningRate = learningRate; self.multiplier = multiplier
        }
    }

    /// The best value of a metric and the step where it was reached (marked on the figures).
    public struct Best: Sendable, Equatable {
        public var step: Int
        public var metric: String
        public var value: Double
        public init(step: Int, metric: String, value: Double) { self.step = step; self.metric = metric; self.value = value }
    }

    /// The run, for the headings.
    public var model: String
    public var data: String
    public var policy: String
    /// The logged steps, ascending; every array below has one entry per step.
    public var steps: [Int]
    public var trainLoss: [Double?]
    /// The global (scheduled) learning rate.
    public var learningRate: [Double?]
    /// Other logged quantities (`test_accuracy`, `val_nrmse`, …); names containing "loss" go
    /// to the loss figure, the rest to the metrics figure.
    public var metrics: [Curve]
    /// The layers in depth order.
    public var layers: [Layer]
    public var best: Best?

    public init(model: String, data: String, policy: String, steps: [Int], trainLoss: [Double?], learningRate: [Double?],
                metrics: [Curve], layers: [Layer], best: Best?) {
        self.model = model; self.data = data; self.policy = policy; self.steps = steps; self.trainLoss = trainLoss
        self.learningRate = learningRate; self.metrics = metrics; self.layers = layers; self.best = best
    }

    /// The names of the metrics with at least one value, sorted.
    public var metricNames: [String] { metrics.filter { $0.values.contains { $0 != nil } }.map(\.name).sorted() }

    /// The values of metric `name` (all nil when it was not logged).
    func values(of name: String) -> [Double?] { metrics.first { $0.name == name }?.values ?? steps.map { _ in nil } }

    /// The multipliers of layer `name` per step: as logged, or its learning rate over the global
    /// one where the log has no multiplier (nil where neither is known or η is 0).
    func multipliers(of name: String) -> [Double?] {
        guard let layer = layers.first(where: { $0.name == name }) else { return steps.map { _ in nil } }
        return steps.indices.map { k in
            if k < layer.multiplier.count, let m = layer.multiplier[k] { return m }
            guard k < layer.learningRate.count, k < learningRate.count, let rate = layer.learningRate[k], let eta = learningRate[k], eta != 0 else { return nil }
            return rate / eta
        }
    }
}

/// Runs drawn together on the training figures: a group is one configuration (baseline,
/// TempBalance, …) drawn in one colour; its runs (seeds) are summarised at each step by their
/// mean and a band from their minimum to their maximum.
public struct TrainingRunGroup: Sendable, Equatable {
    public var name: String
    public var runs: [TrainingCurves]
    public init(name: String, runs: [TrainingCurves]) { self.name = name; self.runs = runs }

    /// A quantity over the group's runs at every step any run logged it: the mean, minimum and
    /// maximum of the runs that have a value there, and how many do.
    struct Summary: Equatable {
        var steps: [Double] = []
        var mean: [Double] = []
        var low: [Double] = []
        var high: [Double] = []
        var count: [Int] = []
        var isEmpty: Bool { steps.isEmpty }
        /// Whether the runs differ at some step (so a band shows their spread).
        var hasSpread: Bool { zip(low, high).contains { $0 < $1 } }
    }

    func summary(_ values: (TrainingCurves) -> [Double?]) -> Summary {
        var byStep: [Int: [Double]] = [:]
        for run in runs {
            for (step, v) in zip(run.steps, values(run)) { if let v, v.isFinite { byStep[step, default: []].append(v) } }
        }
        var s = Summary()
        for step in byStep.keys.sorted() {
            let v = byStep[step]!
            s.steps.append(Double(step))
            s.mean.append(v.reduce(0, +) / Double(v.count))
            s.low.append(v.min()!)
            s.high.append(v.max()!)
            s.count.append(v.count)
        }
        return s
    }

    /// The layer names of the runs in depth order (the first run's, then any others').
    var layerNames: [String] {
        var names: [String] = []
        for run in runs { for l in run.layers where !names.contains(l.name) { names.append(l.name) } }
        return names
    }

    /// The name in titles.
    var label: String { Markup.plain(name) }
}
