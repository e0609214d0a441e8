import Checkpoint
import Dispatch
import Foundation
import LinearAlgebra
import Train
import Random
import Settings

/// Where a run stands, for a progress line.
public struct FinetuneProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var step: Int, totalSteps: Int
    /// Mean training loss of the epoch so far.
    public var loss: Double
    /// Estimated seconds to the end (training steps and evaluations at the pace so far).
    public var eta: Double
    /// Set on the line written after an epoch's evaluation.
    public var validationAccuracy: Double?
}

/// What a finished (or stopped) run reports.
public struct FinetuneOutcome: Sendable {
    public var steps: Int
    public var finished: Bool
    /// The epoch (1-based) with the best validation accuracy, and that accuracy.
    public var bestEpoch: Int?
    public var bestValidation: Evaluation?
    /// The test split on the best epoch's weights (finished runs).
    public var test: Evaluation?
    /// Wall seconds in training steps, in the TempBalance work on the training thread, in evaluation.
    public var trainSeconds: Double, analysisSeconds: Double, evalSeconds: Double
    public var balancedLayers: [String]
    /// The multipliers the policy applied (time averages, steps near a bound; empty without a policy).
    public var multipliers: MultiplierSummary
}

/// Fine-tuning a pretrained BERT-family encoder with a classification head: AdamW (decoupled weight
/// decay on weights only), linear warmup then linear decay, global-norm clipping, the best epoch by
/// validation accuracy, and optionally TempBalance recomputed in the loop from the weights' spectra
/// (block-wise: blocks = `encoder.layer.<i>`, layers in forward order; embeddings and the head keep
/// η, a block's LayerNorms take the block's rate — `tempbalance-spec.md` §4).
///
/// Files in `config.out`: `log.jsonl` (the training-log format: a `run` line, one `interval` line
/// per epoch with the training loss and accuracy, validation accuracy and loss, per layer α, rate
/// and multiplier and per block α and multiplier, a `final` line with the test split on the best
/// epoch), `config.json` + `model.safetensors` (the best epoch's classifier as a Hugging Face
/// folder, see `ClassifierFolder`), and `resume/state.safetensors` (weights, AdamW moments and the
/// run state, rewritten atomically after every epoch and when stopped; `resume` continues bit for bit).
public final class FinetuneTrainer {
    public let config: FinetuneConfig
    public let data: EncodedSplits
    public let pretrained: PretrainedBert
    public let model: BertClassifier<Float>
    public let stepsPerEpoch: Int
    public let totalSteps: Int
    /// Steps between spectrum recomputations (epoch mode: stepsPerEpoch).
    public let balanceInterval: Int
    /// Parameters initialised afresh (the head; the pooler when the checkpoint has none).
    public let initialized: [String]
    var optimizer: Train.Optimizer
    let schedule: Schedule
    let probe: SpectrumProbe
    let balance: InLoopBalance
    /// Multipliers that are not TempBalance's: 0 for parameters the pooling does not use.
    let fixedMultipliers: [Double]
    public internal(set) var step = 0
    var bestEpoch: Int?
    var bestValidation: Evaluation?
    var epochLoss = 0.0, epochSeen = 0, epochCorrect = 0
    var elapsedBefore = 0.0, trainSeconds = 0.0, analysisSeconds = 0.0, evalSeconds = 0.0

    public init(config: FinetuneConfig, data: EncodedSplits, pretrained: PretrainedBert) throws {
        try config.validate()
        try InvalidSetting.require(config.maxLength <= pretrained.config.maxPositions, "max_length", config.maxLength,
                                   "at most the model's max_position_embeddings \(pretrained.config.maxPositions)")
        try data.validate(maxLength: config.maxLength, vocabSize: pretrained.config.vocabSize, typeVocabSize: pretrained.config.typeVocabSize)
        // The run folder receives config.json and model.safetensors: never the pretrained model's own.
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        guard resolved(config.out) != resolved(pretrained.folder) else {
            throw InvalidSetting(field: "out", value: config.out,
                                 requirement: "another folder than the pretrained model's (its config.json and weights would be overwritten)")
        }
        self.config = config
        self.data = data
        self.pretrained = pretrained
        let classifier = BertClassifierConfig(encoder: pretrained.config, classes: data.classNames.count, pooling: config.pooling)
        model = try BertClassifier<Float>(config: classifier, maxBatch: config.batchSize, maxLength: config.maxLength, optimizerSlots: 2)
        var rng = SeededRNG(seed: config.seed, stream: RandomStream.initialization)
        initialized = try pretrained.load(into: model, rng: &rng).initialized
        stepsPerEpoch = (data.train.count + config.batchSize - 1) / config.batchSize
        let (total, overflow) = config.epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        try InvalidSetting.require(!overflow && total <= FinetuneConfig.Limits.totalSteps, "epochs", config.epochs,
                                   "small enough that the steps (epochs × \(stepsPerEpoch) steps per epoch) stay at most \(FinetuneConfig.Limits.totalSteps)")
        totalSteps = total
        switch config.balanceEvery {
        case .auto: balanceInterval = min(100, max(1, stepsPerEpoch / 10))
        case let .steps(n): balanceInterval = n
        case .epoch: balanceInterval = stepsPerEpoch
        }
        let inFlight = InLoopBalance.maxInFlight(interval: balanceInterval, lag: config.balanceLag)
        try InvalidSetting.require(inFlight <= 8, "balance_lag", config.balanceLag,
                                   "small enough that at most 8 weight snapshots are in flight (a recomputation every \(balanceInterval) step(s) keeps \(inFlight))")
        var settings = OptimizerSettings(kind: .adamw)
        settings.beta1 = config.beta1; settings.beta2 = config.beta2; settings.epsilon = config.epsilon
        settings.weightDecay = config.weightDecay
        optimizer = settings.make(layout: model.parameters.layout, decays: .matrices, maxGradientNorm: config.clip)
        schedule = ScheduleKind.linear.schedule(base: config.lr, totalSteps: totalSteps,
                                                warmup: Int((config.warmupRatio * Double(totalSteps)).rounded()))
        var p = SpectrumProbe(policy: config.policyOptions)
        p.xminPos = config.xminPos
        p.threads = config.analysisThreads
        probe = p
        let names = model.parameters.entries.map(\.name)
        balance = InLoopBalance(layers: classifier.linearNames, parameterNames: names, policy: config.policyOptions, probe: p,
                                timing: config.balanceEvery == .epoch ? .everyEpoch : .everySteps(balanceInterval), lag: config.balanceLag,
                                frozen: config.policy == .frozen, overlap: true)
        if config.policy == .uniform { balance.fixUniform(multiplier: config.uniformMultiplier, parameters: model.parameters) }
        fixedMultipliers = names.map { config.pooling == .mean && $0.hasPrefix(BertNames.pooler + ".") ? 0 : 1 }
        if config.resume {
            try restore()
            guard step < totalSteps else {
                throw TrainError.badResumeState("the run in \(config.out) finished (step \(step) of \(totalSteps)); there is nothing to resume")
            }
        }
    }

    /// The files a run writes into its folder (relative paths); the last is its resume state.
    public static let outputFiles = ["log.jsonl", ClassifierFolder.configFile, ClassifierFolder.weightsFile, "resume/state.safetensors"]

    var logPath: String { config.out + "/" + Self.outputFiles[0] }
    var resumeFolder: String { config.out + "/resume" }
    var resumePath: String { config.out + "/" + Self.outputFiles[3] }

    /// The layers TempBalance balances (no spectrum needed).
    public var balancedLayers: [String] { balance.balancedLayers(model.parameters) }

    /// Trains until the last step, `stopAfter`, or until `shouldStop` returns true (checked after
    /// every step; the state is saved so that `resume` continues exactly).
    @discardableResult
    public func run(progress: ((FinetuneProgress) -> Void)? = nil, shouldStop: () -> Bool = { false }) throws -> FinetuneOutcome {
        do {
            try FileManager.default.createDirectory(atPath: resumeFolder, withIntermediateDirectories: true)
        } catch { throw TrainError.output(file: config.out, problem: "cannot create the folder: \(error.localizedDescription)") }
        let log = try TrainingLogWriter(path: logPath, append: config.resume)
        if !config.resume {
            try log.write(runLine())
            try ClassifierFolder.writeConfig(pretrained, classNames: data.classNames, pooling: config.pooling, to: config.out)
        }
        let savedThreads = BLASThreads.current
        BLASThreads.set(config.blasThreads)
        defer { BLASThreads.set(savedThreads) }
        let clock = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 }
        let B = config.batchSize, n = data.train.count
        var order: [Int] = [], orderEpoch = -1
        var multipliers = [Double](repeating: 1, count: model.parameters.entries.count)
        while step < totalSteps {
            if let s = config.stopAfter, step >= s { break }
            let epoch = step / stepsPerEpoch, b = step % stepsPerEpoch
            if epoch != orderEpoch {
                var r = SeededRNG(seed: config.seed, stream: RandomStream.epochOrder(epoch))
                order = r.permutation(n)
                orderEpoch = epoch
            }
            if config.policy.usesSpectra {
                try balance.update(step: step, epochStep: b, parameters: model.parameters)
            }
            let t0 = now()
            let eta = Double(schedule(step))
            if config.policy != .none { balance.recordStep(eta: eta) }
            let active = balance.active
            for k in multipliers.indices { multipliers[k] = active[k] * fixedMultipliers[k] }
            let (tokens, labels) = data.batch(data.train, order[(b * B)..<min(n, (b + 1) * B)])
            model.parameters.grads.zero()
            var dropout = SeededRNG(seed: config.seed, stream: RandomStream.dropout(step: step))
            let loss = try model.forward(tokens, labels: labels, training: true, rng: &dropout)
            guard loss.isFinite else { throw TrainError.diverged(step: step) }
            epochCorrect += Self.countCorrect(model.logits, labels: labels, classes: model.config.classes)
            model.backward()
            let w0 = now()
            balance.weightsWillChange()   // a recomputation in flight has copied the weights (counted in balance.seconds)
            let waited = now() - w0
            optimizer.step(model.parameters, eta: eta, multipliers: multipliers)   // clips first (--clip)
            epochLoss += loss * Double(labels.count)
            epochSeen += labels.count
            step += 1
            trainSeconds += now() - t0 - waited
            let endOfEpoch = step % stepsPerEpoch == 0 || step == totalSteps
            if endOfEpoch {
                let t1 = now()
                let validation = try evaluate(data.validation)
                if bestValidation == nil || validation.accuracy > bestValidation!.accuracy {
                    bestValidation = validation
                    bestEpoch = (step - 1) / stepsPerEpoch + 1
                    try ClassifierFolder.writeWeights(model, metadata: ["htsr_step": String(step)], to: config.out)
                }
                analysisSeconds = analysisCarry + balance.seconds
                try log.write(try intervalLine(eta: eta, validation: validation, seconds: elapsedBefore + now()))
                var line = progressLine(epochEnd: validation.accuracy)
                epochLoss = 0; epochSeen = 0; epochCorrect = 0
                evalSeconds += now() - t1
                if config.resumable { try saveResume(elapsed: elapsedBefore + now()) }
                line.eta = progressLine(epochEnd: validation.accuracy).eta   // with this evaluation's time
                progress?(line)
            } else if step % max(1, stepsPerEpoch / 20) == 0 || step == 1 {
                progress?(progressLine(epochEnd: nil))
            }
            let stopHere = config.stopAfter.map { step >= $0 } ?? false
            if step < totalSteps && (stopHere || shouldStop()) {
                analysisSeconds = analysisCarry + balance.seconds
                if !endOfEpoch && config.resumable { try saveResume(elapsed: elapsedBefore + now()) }
                break
            }
        }
        try balance.settle()   // nothing reads the weights after training
        analysisSeconds = analysisCarry + balance.seconds
        let finished = step == totalSteps
        var test: Evaluation?
        if finished {
            let t1 = now()
            if config.testAtEnd { test = try testBest() }
            evalSeconds += now() - t1
            try log.write(finalLine(test: test, seconds: elapsedBefore + now()))
        }
        return FinetuneOutcome(steps: step, finished: finished, bestEpoch: bestEpoch, bestValidation: bestValidation, test: test,
                               trainSeconds: trainSeconds, analysisSeconds: analysisSeconds, evalSeconds: evalSeconds,
                               balancedLayers: config.policy != .none ? balancedLayers : [],
                               multipliers: config.policy != .none ? balance.summary : MultiplierSummary(bounds: nil))
    }

    /// The test split on the best epoch's weights (the classifier folder in `config.out`, written
    /// by a finished run). Replaces the model's weights.
    public func testBest() throws -> Evaluation {
        var unused = SeededRNG(seed: 0)
        let best = try PretrainedBert(config.out)
        try best.load(into: model, rng: &unused)
        return try evaluate(data.test)
    }

    /// Analysis seconds of earlier sessions of a resumed run.
    var analysisCarry = 0.0

    func progressLine(epochEnd validation: Double?) -> FinetuneProgress {
        let done = Double(step), perStep = (trainSeconds + analysisSeconds) / max(1, done)
        let epochsDone = Double(step / stepsPerEpoch)
        let evalPerEpoch = epochsDone > 0 ? evalSeconds / epochsDone : 0
        let eta = perStep * Double(totalSteps - step) + evalPerEpoch * Double(config.epochs - step / stepsPerEpoch)
        return FinetuneProgress(epoch: min(config.epochs, step / stepsPerEpoch + (validation == nil ? 1 : 0)), epochs: config.epochs,
                                step: step, totalSteps: totalSteps, loss: epochSeen > 0 ? epochLoss / Double(epochSeen) : 0,
                                eta: eta, validationAccuracy: validation)
    }

    /// Accuracy and mean loss on `examples`, without dropout, in batches of the training batch
    /// size taken in order of length (less padding; each example's result does not depend on it).
    public func evaluate(_ examples: [EncodedExample]) throws -> Evaluation {
        guard !examples.isEmpty else { return Evaluation(accuracy: 0, loss: 0, count: 0) }
        let byLength = examples.indices.sorted { examples[$0].ids.count < examples[$1].ids.count }
        var correct = 0, lossSum = 0.0
        var unused = SeededRNG(seed: 0)
        var start = 0
        while start < byLength.count {
            let end = min(byLength.count, start + config.batchSize)
            let (tokens, labels) = data.batch(examples, byLength[start..<end])
            let loss = try model.forward(tokens, labels: labels, training: false, rng: &unused)
            lossSum += loss * Double(labels.count)
            correct += Self.countCorrect(model.logits, labels: labels, classes: model.config.classes)
            start = end
        }
        return Evaluation(accuracy: Double(correct) / Double(examples.count), loss: lossSum / Double(examples.count), count: examples.count)
    }

    /// How many rows' arg-max (first on ties) equals the label.
    static func countCorrect(_ logits: UnsafePointer<Float>, labels: [Int32], classes C: Int) -> Int {
        var correct = 0
        for (r, y) in labels.enumerated() {
            var best = 0
            for c in 1..<C where logits[r * C + c] > logits[r * C + best] { best = c }
            if best == Int(y) { correct += 1 }
        }
        return correct
    }
}
