/// What the training figures draw: plain arrays with one entry per logged step. Plot does not
/// read training logs; whoever does (Experiments, from Train's reader) fills this in.
public struct TrainingCurves: Sendable, Equatable {
    /// A named series with one value per step (nil: nothing logged at that step).
    public struct Curve: Sendable, Equatable {
        public var name: String
        public var values: [Double?]
        public init(_ name: String, _ values: [Double?]) { self.name = name; self.values = values }
    }

    /// One layer's α and learning rate per step.
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var alpha: [Double?]
        public var learningRate: [Double?]
        public init(name: String, alpha: [Double?], learningRate: [Double?]) {
            self.name = name; self.alpha = alpha; self.learningRate = learningRate
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
}
