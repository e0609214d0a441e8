import Analyzer
import Checkpoint
import Foundation
import Settings
import Train

/// One setting of the low-data experiment: baseline vs TempBalance over data ratios × seeds,
/// each policy's learning rate chosen from the same grid (the best mean final test accuracy).
public struct ExperimentPlan: Sendable {
    public var name: String
    /// The options every run shares (data set, model, optimizer, schedule, policy options, --init).
    public var base: TrainConfig
    public var ratios: [Double]
    public var seeds: [UInt64]
    public var learningRates: [Float]
    /// Steps per run: epochs × steps-per-epoch, clamped to [minSteps, maxSteps].
    public var minSteps: Int
    public var maxSteps: Int
    /// Log lines per run (evaluations of the test split).
    public var logsPerRun = 8
    /// Where the runs go (`<runs>/<name>/<policy>-r<ratio>-lr<lr>-s<seed>/`).
    public var runsFolder: String

    public init(name: String, base: TrainConfig, ratios: [Double], seeds: [UInt64], learningRates: [Float],
                minSteps: Int, maxSteps: Int, runsFolder: String) {
        self.name = name; self.base = base; self.ratios = ratios; self.seeds = seeds
        self.learningRates = learningRates; self.minSteps = minSteps; self.maxSteps = maxSteps; self.runsFolder = runsFolder
    }

    /// The documented ranges of the grid (`docs/train.md`), checked by `validate()`.
    public enum Limits {
        public static let ratio = SettingRange<Double>.positive(upTo: 1)
        public static let gridSize = SettingRange<Int>(1, 1000)
        public static let steps = SettingRange<Int>(1, 1_000_000_000)
    }

    /// - Throws: `InvalidSetting` naming the setting (`ratios`, `learning_rates`, `min_steps`, …).
    public func validate() throws {
        try Limits.gridSize.check(ratios.count, "ratios.count")
        try Limits.ratio.check(each: ratios, "ratios")
        try Limits.gridSize.check(seeds.count, "seeds.count")
        try Limits.gridSize.check(learningRates.count, "learning_rates.count")
        try TrainConfig.Limits.lr.check(each: learningRates, "learning_rates")
        try Limits.steps.check(minSteps, "min_steps")
        try Limits.steps.check(maxSteps, "max_steps")
        try InvalidSetting.require(maxSteps >= minSteps, "max_steps", maxSteps, "at least min_steps (\(minSteps))", related: ["min_steps"])
    }
}

/// One finished run of an experiment.
public struct ExperimentRun: Sendable, Codable {
    public var policy: PolicyMode
    public var ratio: Double
    public var lr: Float
    public var seed: UInt64
    public var trainExamples: Int
    public var steps: Int
    public var testAccuracy: Double
    public var bestAccuracy: Double
    public var trainSeconds: Double
    public var analysisSeconds: Double
    /// The loss became NaN/∞; the run counts as accuracy 0 for its learning rate.
    public var diverged = false
}

/// A row of the result table: one ratio, one policy, at its selected learning rate.
public struct ExperimentCell: Sendable {
    public var ratio: Double
    public var policy: PolicyMode
    public var lr: Float
    public var mean: Double
    public var std: Double
    public var n: Int
    public var trainExamples: Int
}

public enum Experiment {
    /// Runs every (ratio, lr, seed, policy) of the plan that has no finished log yet; `progress`
    /// gets one line per run. Returns all runs (finished earlier or now).
    public static func run(_ plan: ExperimentPlan, dataset: Dataset, progress: (String) -> Void) throws -> [ExperimentRun] {
        try plan.validate()
        var runs: [ExperimentRun] = []
        for ratio in plan.ratios {
            for lr in plan.learningRates {
                for seed in plan.seeds {
                    for policy in [PolicyMode.none, .tempbalance] {
                        var c = plan.base
                        c.trainRatio = ratio == 1 ? nil : ratio
                        c.lr = lr
                        c.seed = seed
                        c.policy = policy
                        c.out = "\(plan.runsFolder)/\(plan.name)/\(policy.rawValue)-r\(ratio)-lr\(lr)-s\(seed)"
                        if let done = try finished(c.out, policy: policy, ratio: ratio, lr: lr, seed: seed) {
                            runs.append(done)
                            continue
                        }
                        // Steps from the subset size (a throw-away trainer computes it cheaply).
                        let n = try dataset.subsample(ratio: c.trainRatio, seed: seed).trainCount
                        let perEpoch = (n + c.batchSize - 1) / c.batchSize
                        c.steps = min(plan.maxSteps, max(plan.minSteps, c.epochs * perEpoch))
                        c.logEvery = max(1, c.steps! / plan.logsPerRun)
                        let trainer = try Trainer(config: c, dataset: dataset)
                        var r: ExperimentRun
                        do {
                            let o = try trainer.run()
                            r = ExperimentRun(policy: policy, ratio: ratio, lr: lr, seed: seed, trainExamples: trainer.data.trainCount,
                                              steps: o.steps, testAccuracy: o.test?.accuracy ?? 0, bestAccuracy: o.bestAccuracy ?? 0,
                                              trainSeconds: o.trainSeconds, analysisSeconds: o.analysisSeconds)
                        } catch let TrainError.diverged(step) {
                            r = ExperimentRun(policy: policy, ratio: ratio, lr: lr, seed: seed, trainExamples: trainer.data.trainCount,
                                              steps: step, testAccuracy: 0, bestAccuracy: 0, trainSeconds: 0, analysisSeconds: 0, diverged: true)
                        }
                        try AtomicFile.write(try JSONValueEncoder().encode(r).text(), to: c.out + "/result.json")
                        runs.append(r)
                        progress(String(format: "%@ %@ ratio %g lr %g seed %llu: test accuracy %.4f (%d steps, %.1f s + %.1f s analysis)%@",
                                        plan.name, policy.rawValue, ratio, Double(lr), seed, r.testAccuracy, r.steps, r.trainSeconds,
                                        r.analysisSeconds, r.diverged ? " DIVERGED" : ""))
                    }
                }
            }
        }
        return runs
    }

    /// A run that already finished (its `result.json`), if any.
    static func finished(_ folder: String, policy: PolicyMode, ratio: Double, lr: Float, seed: UInt64) throws -> ExperimentRun? {
        guard let data = FileManager.default.contents(atPath: folder + "/result.json"),
              let json = try? JSONParser.parse([UInt8](data)) else { return nil }
        return try? JSONValueDecoder().decode(ExperimentRun.self, from: json)
    }

    /// Per ratio and policy: the learning rate with the best mean final test accuracy over seeds
    /// (a diverged run counts as 0), with that mean and the sample standard deviation.
    public static func table(_ runs: [ExperimentRun]) -> [ExperimentCell] {
        var cells: [ExperimentCell] = []
        for ratio in Array(Set(runs.map(\.ratio))).sorted() {
            for policy in [PolicyMode.none, .tempbalance] {
                var best: ExperimentCell?
                for lr in Array(Set(runs.map(\.lr))).sorted() {
                    let xs = runs.filter { $0.ratio == ratio && $0.policy == policy && $0.lr == lr }
                    guard !xs.isEmpty else { continue }
                    let acc = xs.map(\.testAccuracy)
                    let mean = acc.reduce(0, +) / Double(acc.count)
                    let sd = acc.count > 1 ? (acc.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(acc.count - 1)).squareRoot() : 0
                    if best == nil || mean > best!.mean {
                        best = ExperimentCell(ratio: ratio, policy: policy, lr: lr, mean: mean, std: sd, n: acc.count,
                                              trainExamples: xs[0].trainExamples)
                    }
                }
                if let best { cells.append(best) }
            }
        }
        return cells
    }
}
