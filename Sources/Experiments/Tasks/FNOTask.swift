import FNO
import Foundation
import Train

/// The FNO task under the protocol: one trial = one `FNOTrainer` run. A cell is a training-set
/// size N: the pool (the samples between the test and the validation sets) strided by
/// k = pool / N from offset seed mod k (PDEBench's `[offset::reduced_batch]`), so different
/// seeds draw disjoint subsets of N samples and every arm of a seed the same one. Metric: nRMSE
/// (lower is better), the final validation nRMSE for choosing, the final test nRMSE for reporting.
public struct FNOTask: ProtocolTask {
    /// The options every run shares (data file, split, model, epochs, schedule, balance options).
    public var base: FNOTrainConfig
    /// Training samples per cell id.
    public var trainSamples: [String: Int]
    /// The pool's size (`FNODataSet.poolCount`).
    public var pool: Int

    public init(base: FNOTrainConfig, trainSamples: [String: Int]) throws {
        self.base = base
        self.trainSamples = trainSamples
        pool = try FNODataSet.poolCount(path: base.data, testCount: base.testSamples, validationCount: base.validationSamples)
        for (cell, n) in trainSamples {
            guard n >= 1, n <= pool, pool % n == 0 else {
                throw TrainError.invalidOption("\(n) training samples (\(cell)) must divide the pool of \(pool) samples, so every seed's subset has exactly \(n)")
            }
        }
    }

    public var direction: Direction { .lower }

    /// The cells for training-set sizes: `n50`, "50 samples", with the paper's s for that size.
    public static func cells(trainSamples: [Int], referenceScale: (Int) -> Double?) -> [ProtocolCell] {
        trainSamples.map { ProtocolCell(id: "n\($0)", label: "\($0) samples", trainSamples: $0, referenceScale: referenceScale($0)) }
    }

    /// The reference's s for a training-set size, matched by sample count to the paper's cells
    /// (`tempbalance-spec.md` §5: a pool of 9,000 strided by 1, 2, 4, 10, 40, 180 = 9,000, 4,500,
    /// 2,250, 900, 225, 50 samples with s = 0.125, 0.5, 1, 0.25, 0.5, 1), the nearest on a log scale.
    public static func referenceScale(samples: Int) -> Double {
        let table: [(Double, Double)] = [(9000, 0.125), (4500, 0.5), (2250, 1), (900, 0.25), (225, 0.5), (50, 1)]
        return table.min { abs(log($0.0 / Double(samples))) < abs(log($1.0 / Double(samples))) }!.1
    }

    public func config(_ t: Trial, folder: String) throws -> FNOTrainConfig {
        guard let n = trainSamples[t.cell] else { throw TrainError.invalidOption("unknown cell \(t.cell)") }
        var c = base
        c.reducedBatch = pool / n
        c.poolOffset = Int(t.seed % UInt64(c.reducedBatch))
        c.apply(t, folder: folder)
        return c
    }

    /// The run's options as JSON, without the output folder, thread counts and data folder.
    public func fingerprint(_ t: Trial) throws -> String {
        var c = try config(t, folder: "")
        c.blasThreads = 1
        c.data = (c.data as NSString).lastPathComponent
        return try TrainingLog.options(c).text()
    }

    public func run(_ t: Trial, folder: String) throws -> TrialResult {
        let c = try config(t, folder: folder)
        let trainer = try FNOTrainer(config: c)
        guard trainer.data.train.count == trainSamples[t.cell] else {
            throw TrainError.badData(file: c.data, problem: "the subset of \(t.key) has \(trainer.data.train.count) samples, not \(trainSamples[t.cell]!)")
        }
        do {
            let o = try trainer.run()
            var r = TrialResult(trial: t, validation: o.validation?.nrmse, test: o.test.nrmse, diverged: false,
                                trainSamples: trainer.data.train.count, steps: o.steps)
            if let rmse = o.test.rmse { r.extra = ["test_rmse": rmse] }
            r.record(o.multipliers)
            r.curve = try TrainingLog.load(folder + "/log.jsonl").intervals.compactMap { i in
                guard let v = i.metric("val_nrmse") else { return nil }
                return CurvePoint(step: i.step, validation: v, test: i.metric("test_nrmse"))
            }
            return r
        } catch let TrainError.diverged(step) {
            return TrialResult(trial: t, validation: nil, test: nil, diverged: true, trainSamples: trainer.data.train.count, steps: step)
        }
    }
}
