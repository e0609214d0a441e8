import Foundation
import Random
import Text
import Train
import Transformer

/// Fine-tuning a pretrained BERT-family encoder on a text-classification set under the protocol:
/// one trial = one `FinetuneTrainer` run with the trial's learning rate, seed, policy (and scale,
/// uniform multiplier) on N training examples (stratified, drawn by the seed from the pool left
/// after the fixed validation split: `LowDataSplits`, the same draw as `htsr finetune --seed S
/// --train-count N`). Metric: accuracy (higher is better); the best epoch's validation accuracy
/// chooses. The test split is the official one — whole, or a fixed stratified subset of
/// `testCount` examples (`LowDataSplits.fixedTestSubset`) — evaluated only on the runs the protocol
/// chose (`defersTest`: it costs more than a low-data run's training).
public struct FinetuneTask: ProtocolTask {
    /// The options every run shares (model folder, length, epochs, batch, schedule, policy options).
    public var base: FinetuneConfig
    /// The data's name (`r8`, …), for logs and fingerprints.
    public let dataName: String
    public let splits: TextSplits
    public let validation: ValidationSize
    /// The training pool and the test split, tokenized once (pool order).
    public let pool: [EncodedExample]
    public let test: [EncodedExample]
    public let padId: Int32
    /// Training examples of each cell, by cell id.
    public var trainCount: [String: Int]

    /// Tokenizes the pool and the test split with `tokenizer`, truncated to `base.maxLength`.
    /// The official test split's size, and the size of the subset used (equal: the whole split).
    public let officialTestCount: Int

    public init(base: FinetuneConfig, dataName: String, splits: TextSplits, tokenizer: BertTokenizer, validation: ValidationSize,
                trainCount: [String: Int], testCount: Int? = nil) throws {
        self.base = base; self.dataName = dataName; self.splits = splits; self.validation = validation; self.trainCount = trainCount
        func encode(_ d: TextDataset) throws -> [EncodedExample] {
            let e = try EncodedTexts(d, tokenizer: tokenizer, maxLength: base.maxLength)
            return zip(e.encodings, e.labels).map { EncodedExample(ids: $0.ids, typeIds: $0.typeIDs, label: $1) }
        }
        pool = try encode(splits.train)
        officialTestCount = splits.test.count
        test = try encode(splits.test.subset(LowDataSplits.fixedTestSubset(splits.test, count: testCount ?? splits.test.count)))
        padId = tokenizer.padID
    }

    public var direction: Direction { .higher }
    public var defersTest: Bool { true }

    /// The cells for training-set sizes: `n16`, "16 examples".
    public static func cells(trainCounts: [Int]) -> [ProtocolCell] {
        trainCounts.map { ProtocolCell(id: "n\($0)", label: "\($0) examples", trainSamples: $0) }
    }

    /// The splits of a seed: its training subset, the fixed validation split, the test split.
    public func encodedSplits(count: Int, seed: UInt64) throws -> EncodedSplits {
        var rng = SeededRNG(seed: seed, stream: RandomStream.subsample)
        let low = try LowDataSplits(splits, train: .count(count), validation: validation, using: &rng)
        return EncodedSplits(name: dataName, classNames: splits.classNames, train: low.trainIndices.map { pool[$0] },
                             validation: low.validationIndices.map { pool[$0] }, test: test, padId: padId)
    }

    public func config(_ t: Trial, folder: String) throws -> FinetuneConfig {
        guard let n = trainCount[t.cell] else { throw TrainError.invalidOption("unknown cell \(t.cell)") }
        var c = base
        c.data = "\(dataName) train \(n) validation \(Self.describe(validation))"
            + (test.count < officialTestCount ? " test \(test.count) of \(officialTestCount)" : "")
        c.apply(t, folder: folder)
        c.testAtEnd = false
        c.resumable = false
        c.logSpectra = false
        return c
    }

    /// "150", or "ratio 0.1".
    public static func describe(_ v: ValidationSize) -> String {
        switch v {
        case .count(let n): return "\(n)"
        case .ratio(let r): return "ratio \(r)"
        }
    }

    /// The run's options as JSON, without the output folder, the model folder and thread counts.
    public func fingerprint(_ t: Trial) throws -> String {
        var c = try config(t, folder: "")
        c.model = ""
        c.blasThreads = 1
        c.analysisThreads = 1
        return try TrainingLog.options(c).text()
    }

    func trainer(_ t: Trial, folder: String) throws -> FinetuneTrainer {
        let c = try config(t, folder: folder)
        return try FinetuneTrainer(config: c, data: try encodedSplits(count: trainCount[t.cell]!, seed: t.seed),
                                   pretrained: try PretrainedBert(base.model))
    }

    public func run(_ t: Trial, folder: String) throws -> TrialResult {
        let trainer = try trainer(t, folder: folder)
        let n = trainer.data.train.count
        do {
            let o = try trainer.run()
            var r = TrialResult(trial: t, validation: o.bestValidation?.accuracy, test: nil, diverged: false, trainSamples: n, steps: o.steps)
            r.extra = ["best_epoch": Double(o.bestEpoch ?? 0), "validation_loss": o.bestValidation?.loss ?? .nan,
                       "train_seconds": o.trainSeconds, "analysis_seconds": o.analysisSeconds, "eval_seconds": o.evalSeconds]
            r.record(o.multipliers)
            r.curve = try TrainingLog.load(folder + "/log.jsonl").intervals.map {
                CurvePoint(step: $0.step, validation: $0.metric("validation_accuracy"), test: nil)
            }
            return r
        } catch let TrainError.diverged(step) {
            return TrialResult(trial: t, validation: nil, test: nil, diverged: true, trainSamples: n, steps: step)
        }
    }

    /// The test accuracy of the run's best epoch (the classifier folder it wrote).
    public func test(_ t: Trial, folder: String) throws -> Double? {
        try trainer(t, folder: folder).testBest().accuracy
    }
}
