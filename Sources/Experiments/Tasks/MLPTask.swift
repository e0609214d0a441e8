import Foundation
import Train

/// The MLP classification task under the protocol: one trial = one `Trainer` run with the
/// trial's learning rate, seed, policy (and scale, uniform multiplier), on `perClass` examples
/// of each class of the pool left after the validation split. Metric: accuracy (higher is better),
/// final validation accuracy for choosing, final test accuracy for reporting.
public struct MLPTask: ProtocolTask {
    /// The options every run shares (data set, model, optimizer, schedule, policy options,
    /// `validationPerClass`, `--init`).
    public var base: TrainConfig
    public var dataset: Dataset
    /// Examples per class of each cell, by cell id.
    public var perClass: [String: Int]
    /// Steps per run: `base.epochs` × steps per epoch, clamped to [minSteps, maxSteps].
    public var minSteps: Int
    public var maxSteps: Int
    /// Evaluations (log lines) per run: the points of the learning curves.
    public var logsPerRun = 10

    public init(base: TrainConfig, dataset: Dataset, perClass: [String: Int], minSteps: Int, maxSteps: Int) {
        self.base = base; self.dataset = dataset; self.perClass = perClass; self.minSteps = minSteps; self.maxSteps = maxSteps
    }

    public var direction: Direction { .higher }

    /// The cells for examples-per-class counts: `k4`, "40 examples (4 per class)".
    public static func cells(perClass: [Int], classes: Int) -> [ProtocolCell] {
        perClass.map { ProtocolCell(id: "k\($0)", label: "\($0 * classes) examples (\($0) per class)", trainSamples: $0 * classes) }
    }

    public func config(_ t: Trial, folder: String) throws -> TrainConfig {
        guard let k = perClass[t.cell] else { throw TrainError.invalidOption("unknown cell \(t.cell)") }
        var c = base
        c.trainRatio = nil
        c.perClass = k
        c.apply(t, folder: folder)
        return c
    }

    /// The run's options as JSON, without the output folder, thread counts and data folder.
    public func fingerprint(_ t: Trial) throws -> String {
        var c = try config(t, folder: "")
        c.blasThreads = 1
        c.analysisThreads = 1
        c.dataDir = ""
        return try TrainingLog.options(c).text()
    }

    public func run(_ t: Trial, folder: String) throws -> TrialResult {
        var c = try config(t, folder: folder)
        let n = try dataset.holdingOutValidation(perClass: c.validationPerClass).pool.subsample(perClass: c.perClass, seed: t.seed).trainCount
        let perEpoch = (n + c.batchSize - 1) / c.batchSize
        c.steps = min(maxSteps, max(minSteps, c.epochs * perEpoch))
        c.logEvery = max(1, c.steps! / logsPerRun)
        let trainer = try Trainer(config: c, dataset: dataset)
        do {
            let o = try trainer.run()
            var r = TrialResult(trial: t, validation: o.validation?.accuracy, test: o.test?.accuracy, diverged: false,
                                trainSamples: trainer.data.trainCount, steps: o.steps)
            r.extra = ["test_loss": o.test?.loss ?? .nan]
            r.record(o.multipliers)
            r.curve = try TrainingLog.load(folder + "/log.jsonl").intervals.map {
                CurvePoint(step: $0.step, validation: $0.metric("val_accuracy"), test: $0.metric("test_accuracy"))
            }
            return r
        } catch let TrainError.diverged(step) {
            return TrialResult(trial: t, validation: nil, test: nil, diverged: true, trainSamples: trainer.data.trainCount, steps: step)
        }
    }
}
