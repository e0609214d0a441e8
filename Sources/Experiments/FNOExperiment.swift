import Analyzer
import Checkpoint
import FNO
import Foundation
import Settings
import Train

/// The low-data experiment for the FNO: baseline vs TempBalance over training-set strides
/// (`reduced_batch`) × seeds, both policies on the same learning-rate grid, the rate chosen per
/// policy and stride by the mean validation nRMSE (never the test set).
public struct FNOExperimentPlan: Sendable {
    public var name: String
    /// Options every run shares (data file, model, batch, weight decay, split, balance options).
    public var base: FNOTrainConfig
    public var reducedBatches: [Int]
    public var seeds: [UInt64]
    public var learningRates: [Float]
    /// TempBalance's sigmoid scale s per stride (same order as `reducedBatches`).
    public var sValues: [Double]
    /// Optimizer steps per run: epochs = ⌈targetSteps / steps per epoch⌉, clamped to
    /// [minEpochs, maxEpochs]; StepLR halves the rate every ⌈epochs / 7⌉ epochs (the reference's
    /// 100 of 700).
    public var targetSteps: Int
    public var minEpochs: Int
    public var maxEpochs: Int
    /// Evaluations of the validation and test sets per run (the last epoch always).
    public var evaluationsPerRun = FNOExperimentPlan.defaultEvaluationsPerRun
    /// Two evaluations: one midway, and the last epoch.
    public static let defaultEvaluationsPerRun = 2
    /// Runs go to `<runsFolder>/<name>/<policy>-rb<k>-lr<lr>-s<seed>/`.
    public var runsFolder: String

    public init(name: String, base: FNOTrainConfig, reducedBatches: [Int], seeds: [UInt64], learningRates: [Float],
                sValues: [Double], targetSteps: Int, minEpochs: Int, maxEpochs: Int, runsFolder: String) {
        self.name = name; self.base = base; self.reducedBatches = reducedBatches; self.seeds = seeds
        self.learningRates = learningRates; self.sValues = sValues; self.targetSteps = targetSteps
        self.minEpochs = minEpochs; self.maxEpochs = maxEpochs; self.runsFolder = runsFolder
    }

    /// The reference's s for a data ratio (`tempbalance-spec.md` §5: 100 % 0.125, 50 % 0.5,
    /// 25 % 1, 10 % 0.25, 2.5 % 0.5, 0.6 % 1), the nearest ratio on a log scale.
    public static func referenceS(ratio: Double) -> Double {
        let table: [(Double, Double)] = [(1, 0.125), (0.5, 0.5), (0.25, 1), (0.1, 0.25), (0.025, 0.5), (1.0 / 180, 1)]
        return table.min { abs(log($0.0 / ratio)) < abs(log($1.0 / ratio)) }!.1
    }

    /// The documented ranges of the grid (`docs/fno.md`), checked by `validate()`.
    public enum Limits {
        public static let gridSize = ExperimentPlan.Limits.gridSize
        public static let epochs = FNOTrainConfig.Limits.epochs
        public static let targetSteps = SettingRange<Int>(1, 1_000_000_000)
        public static let evaluations = SettingRange<Int>(1, 1000)
    }

    /// - Throws: `InvalidSetting` naming the setting (`reduced_batches`, `s_values`, …).
    public func validate() throws {
        try base.validate()
        try Limits.gridSize.check(reducedBatches.count, "reduced_batches.count")
        try FNOTrainConfig.Limits.count.check(each: reducedBatches, "reduced_batches")
        try InvalidSetting.require(sValues.count == reducedBatches.count, "s_values", sValues.map(formatSetting).joined(separator: ","),
                                   "one value per reduced batch (\(reducedBatches.count))", related: ["reduced_batches"])
        try PolicyOptions.Limits.scale.check(each: sValues, "s_values")
        try Limits.gridSize.check(seeds.count, "seeds.count")
        try Limits.gridSize.check(learningRates.count, "learning_rates.count")
        try FNOTrainConfig.Limits.lr.check(each: learningRates, "learning_rates")
        try InvalidSetting.require(base.validationSamples > 0, "validation_samples", base.validationSamples,
                                   "at least 1: the experiment chooses learning rates on a validation set")
        try Limits.evaluations.check(evaluationsPerRun, "evaluations_per_run")
        try Limits.targetSteps.check(targetSteps, "target_steps")
        try Limits.epochs.check(minEpochs, "min_epochs")
        try Limits.epochs.check(maxEpochs, "max_epochs")
        try InvalidSetting.require(maxEpochs >= minEpochs, "max_epochs", maxEpochs, "at least min_epochs (\(minEpochs))", related: ["min_epochs"])
    }
}

/// One finished run.
public struct FNOExperimentRun: Sendable, Codable {
    public var policy: PolicyMode
    public var reducedBatch: Int
    public var trainSamples: Int
    public var poolSamples: Int
    public var lr: Float
    public var seed: UInt64
    public var epochs: Int
    public var steps: Int
    /// nil when the run diverged.
    public var validationNRMSE: Double?
    public var testNRMSE: Double?
    public var testRMSE: Double?
    public var trainSeconds: Double
    public var analysisSeconds: Double
    public var diverged = false
    public var ratio: Double { Double(trainSamples) / Double(max(1, poolSamples)) }
}

/// One row half of the result table: a stride and a policy at its chosen learning rate.
public struct FNOExperimentCell: Sendable {
    public var reducedBatch: Int
    public var ratio: Double
    public var trainSamples: Int
    public var policy: PolicyMode
    public var lr: Float
    public var validationMean: Double
    public var mean: Double
    public var std: Double
    public var rmseMean: Double
    public var rmseStd: Double
    public var n: Int
}

public enum FNOExperiment {
    /// Runs every (stride, lr, seed, policy) without a `result.json` yet; returns all runs.
    public static func run(_ plan: FNOExperimentPlan, progress: (String) -> Void) throws -> [FNOExperimentRun] {
        try plan.validate()
        var runs: [FNOExperimentRun] = []
        for (rbIndex, rb) in plan.reducedBatches.enumerated() {
            for lr in plan.learningRates {
                for seed in plan.seeds {
                    for policy in [PolicyMode.none, .tempbalance] {
                        var c = plan.base
                        c.reducedBatch = rb
                        c.lr = lr
                        c.seed = seed
                        c.policy = policy
                        c.balance.policy.sMin = plan.sValues[rbIndex]
                        c.balance.policy.sMax = plan.sValues[rbIndex]
                        c.out = "\(plan.runsFolder)/\(plan.name)/\(policy.rawValue)-rb\(rb)-lr\(lr)-s\(seed)"
                        let resultPath = c.out + "/result.json"
                        if let d = FileManager.default.contents(atPath: resultPath), let json = try? JSONParser.parse([UInt8](d)),
                           let r = try? JSONValueDecoder().decode(FNOExperimentRun.self, from: json) {
                            runs.append(r)
                            continue
                        }
                        let n = try FNODataSet.trainCount(path: c.data, testCount: c.testSamples, validationCount: c.validationSamples,
                                                          reducedBatch: rb)
                        let perEpoch = max(1, (n + c.batchSize - 1) / c.batchSize)
                        c.epochs = min(plan.maxEpochs, max(plan.minEpochs, (plan.targetSteps + perEpoch - 1) / perEpoch))
                        c.stepSize = max(1, (c.epochs + 6) / 7)
                        c.evalEvery = max(1, (c.epochs + plan.evaluationsPerRun - 1) / plan.evaluationsPerRun)
                        let trainer = try FNOTrainer(config: c)
                        var r = FNOExperimentRun(policy: policy, reducedBatch: rb, trainSamples: trainer.data.train.count,
                                                 poolSamples: trainer.data.poolCount, lr: lr, seed: seed, epochs: c.epochs, steps: 0,
                                                 validationNRMSE: nil, testNRMSE: nil, testRMSE: nil, trainSeconds: 0, analysisSeconds: 0)
                        do {
                            let o = try trainer.run()
                            r.steps = o.steps
                            r.validationNRMSE = o.validation?.nrmse
                            r.testNRMSE = o.test.nrmse
                            r.testRMSE = o.test.rmse
                            r.trainSeconds = o.trainSeconds
                            r.analysisSeconds = o.analysisSeconds
                        } catch let TrainError.diverged(step) {
                            r.steps = step
                            r.diverged = true
                        }
                        try AtomicFile.write(try JSONValueEncoder().encode(r).text(), to: resultPath)
                        runs.append(r)
                        progress(String(format: "%@ %@ rb %d (%d samples) lr %g seed %llu: val nRMSE %@, test nRMSE %@ (%d epochs, %.1f s + %.2f s analysis)%@",
                                        plan.name, policy.rawValue, rb, r.trainSamples, Double(lr), seed,
                                        r.validationNRMSE.map { String(format: "%.4f", $0) } ?? "–",
                                        r.testNRMSE.map { String(format: "%.4f", $0) } ?? "–", r.epochs, r.trainSeconds,
                                        r.analysisSeconds, r.diverged ? " DIVERGED" : ""))
                    }
                }
            }
        }
        return runs
    }

    /// Per stride and policy: the learning rate with the lowest mean validation nRMSE over seeds
    /// (a rate with a diverged run is not eligible), with the test nRMSE and RMSE mean and
    /// sample standard deviation at that rate.
    public static func table(_ runs: [FNOExperimentRun]) -> [FNOExperimentCell] {
        var cells: [FNOExperimentCell] = []
        func stats(_ xs: [Double]) -> (Double, Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            let sd = xs.count > 1 ? (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
            return (m, sd)
        }
        for rb in Array(Set(runs.map(\.reducedBatch))).sorted() {
            for policy in [PolicyMode.none, .tempbalance] {
                var best: FNOExperimentCell?
                for lr in Array(Set(runs.map(\.lr))).sorted() {
                    let xs = runs.filter { $0.reducedBatch == rb && $0.policy == policy && $0.lr == lr }
                    guard !xs.isEmpty, xs.allSatisfy({ !$0.diverged && $0.validationNRMSE != nil && $0.testNRMSE != nil }) else { continue }
                    let (v, _) = stats(xs.map { $0.validationNRMSE! })
                    let (m, sd) = stats(xs.map { $0.testNRMSE! })
                    let (rm, rsd) = stats(xs.map { $0.testRMSE ?? .nan })
                    if best == nil || v < best!.validationMean {
                        best = FNOExperimentCell(reducedBatch: rb, ratio: xs[0].ratio, trainSamples: xs[0].trainSamples, policy: policy,
                                                 lr: lr, validationMean: v, mean: m, std: sd, rmseMean: rm, rmseStd: rsd, n: xs.count)
                    }
                }
                if let best { cells.append(best) }
            }
        }
        return cells
    }
}
