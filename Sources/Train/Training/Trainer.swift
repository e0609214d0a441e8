import Settings
import Checkpoint
import Foundation
import LinearAlgebra
import Random

/// What a finished (or stopped) run reports.
public struct TrainOutcome: Sendable {
    public var steps: Int
    public var finished: Bool
    /// The validation split at the last log step (nil without one).
    public var validation: Evaluation?
    public var test: Evaluation?
    public var bestStep: Int?
    public var bestAccuracy: Double?
    /// Wall seconds in the training steps, the in-loop TempBalance analysis, and evaluation/logging.
    public var trainSeconds: Double
    public var analysisSeconds: Double
    public var evalSeconds: Double
    public var examplesPerSecond: Double
    public var balancedLayers: [String]
    /// The multipliers the policy applied (empty without a policy).
    public var multipliers: MultiplierSummary
}

/// The training loop: an MLP classifier, an optimizer with per-tensor learning rates, a
/// schedule, and (optionally) TempBalance recomputing the rates from the weights' spectra.
///
/// Files in `config.out`: `log.jsonl` (see `TrainingLog`), `model.safetensors` (final
/// weights), `best.safetensors` (best validation accuracy at a log step; best test accuracy
/// when there is no validation split), `resume.safetensors`
/// (weights + optimizer state + run state, written at every log step; `--resume` continues
/// from it with the same result as an uninterrupted run).
public final class Trainer {
    public let config: TrainConfig
    public let data: Dataset
    /// The validation split (`config.validationPerClass` per class, held out of the pool).
    public let validation: ValidationSplit
    public let model: MLP<Float>
    public internal(set) var optimizer: Optimizer
    public let totalSteps: Int
    public let stepsPerEpoch: Int
    public let logEvery: Int
    /// Steps between spectrum recomputations (`epoch` mode: stepsPerEpoch).
    public let balanceEvery: Int
    let schedule: Schedule
    let probe: SpectrumProbe
    /// TempBalance in the loop: the multipliers per parameter entry in use, those computed but
    /// not yet applied, recomputations running on another core (`balanceLag > 0`).
    let balance: InLoopBalance
    var active: [Double] { balance.active }
    var decisions: [LayerDecision] { balance.decisions }
    public internal(set) var step = 0
    var bestStep: Int?
    var bestAccuracy: Double?
    var elapsedBefore = 0.0
    var trainSeconds = 0.0, analysisSeconds = 0.0, evalSeconds = 0.0
    var keptOnInit: [String] = []

    /// Sets up a run on `dataset` (the full data set; the config's ratio / per-class subset is taken here).
    public init(config: TrainConfig, dataset: Dataset) throws {
        try config.validate()
        self.config = config
        let split = try dataset.holdingOutValidation(perClass: config.validationPerClass)
        validation = split.validation
        data = try split.pool.subsample(ratio: config.trainRatio, perClass: config.perClass, seed: config.seed)
        guard data.trainCount > 0 else { throw TrainError.invalidOption("the training subset is empty") }
        let mlp = MLPConfig(inputs: data.inputs, hidden: config.hidden, classes: data.classes, activation: config.activation,
                            layerNorm: config.layerNorm, dropout: config.dropout)
        try mlp.validate()
        try mlp.memoryPlan(maxBatch: max(config.batchSize, 256)).check("training the MLP")
        model = MLP(config: mlp, maxBatch: max(config.batchSize, 256))
        var rng = SeededRNG(seed: config.seed, stream: .initialization)
        model.initialize(rng: &rng)
        optimizer = config.optimizer.make(layout: model.parameters.layout, decays: .matrices, maxGradientNorm: config.clip)
        stepsPerEpoch = (data.trainCount + config.batchSize - 1) / config.batchSize
        totalSteps = config.steps ?? config.epochs * stepsPerEpoch
        logEvery = config.logEvery ?? stepsPerEpoch
        switch config.balanceEvery {
        case .auto: balanceEvery = min(100, max(1, stepsPerEpoch / 10))
        case let .steps(n): balanceEvery = n
        case .epoch: balanceEvery = stepsPerEpoch
        }
        try InvalidSetting.require(config.balanceLag < balanceEvery, "balance_lag", config.balanceLag,
                                   "below the recomputation interval (balance_every: \(balanceEvery) steps)", related: ["balance_every"])
        schedule = config.schedule.schedule(base: config.lr, totalSteps: totalSteps, stepSize: config.stepSize, gamma: config.gamma,
                                            warmup: Int((config.warmupRatio * Double(totalSteps)).rounded()), minRatio: config.minLRRatio)
        var p = SpectrumProbe(policy: config.policyOptions)
        p.xminPos = config.xminPos
        p.filterZeros = config.filterZeros
        p.threads = config.analysisThreads
        probe = p
        balance = InLoopBalance(layers: model.config.linearNames, parameterNames: model.parameters.entries.map(\.name),
                                policy: config.policyOptions, probe: p,
                                timing: config.balanceEvery == .epoch ? .everyEpoch : .everySteps(balanceEvery), lag: config.balanceLag,
                                frozen: config.policy == .frozen, overlap: true)
        if config.policy == .uniform { balance.fixUniform(multiplier: config.uniformMultiplier, parameters: model.parameters) }
        if let path = config.initCheckpoint {
            let head = "fc\(config.hidden.count + 1)"
            keptOnInit = try CheckpointIO.load(into: model.parameters, from: path, replaceable: [head + ".weight", head + ".bias"])
            if config.newHead {
                var fresh = SeededRNG(seed: config.seed, stream: .newHead)
                let bound = 1 / Double(model.parameters.entry(head + ".weight").shape[1]).squareRoot()
                for name in [head + ".weight", head + ".bias"] {
                    let e = model.parameters.entry(name)
                    model.parameters.values.set(e, (0..<e.count).map { _ in Float((2 * fresh.uniform() - 1) * bound) })
                }
                keptOnInit = [head + ".weight", head + ".bias"]
            }
        }
        if config.resume { try restore() }
    }

    var layerNames: [String] { model.config.linearNames }
    /// The files a run writes into its `out` folder.
    public static let outputFiles = ["log.jsonl", "model.safetensors", "best.safetensors", "resume.safetensors"]

    var logPath: String { config.out + "/log.jsonl" }
    var resumePath: String { config.out + "/resume.safetensors" }

    /// The layers TempBalance balances (independent of the weights).
    public var balancedLayers: [String] { balance.balancedLayers(model.parameters) }

    /// Runs until the last step (or `stopAfter`), logging to `<out>/log.jsonl`.
    @discardableResult
    public func run(progress: ((String) -> Void)? = nil) throws -> TrainOutcome {
        try FileManager.default.createDirectory(atPath: config.out, withIntermediateDirectories: true)
        let log = try TrainingLogWriter(path: logPath, append: config.resume)
        if !config.resume { try log.write(runLine()) }
        BLASThreads.set(config.blasThreads)
        let clock = Clock()
        let d = data.inputs, B = config.batchSize, n = data.trainCount
        var xBatch = [Float](repeating: 0, count: B * d), yBatch = [Int32](repeating: 0, count: B)
        var order: [Int] = []
        var orderEpoch = -1
        var lossSum = 0.0, seen = 0, correct = 0
        var test: Evaluation?, val: Evaluation?
        var bestValidation: Double?
        while step < totalSteps {
            if let s = config.stopAfter, step >= s { break }
            let epoch = step / stepsPerEpoch, b = step % stepsPerEpoch
            if epoch != orderEpoch {
                var r = SeededRNG(seed: config.seed, stream: .epochOrder(epoch))
                order = r.permutation(n)
                orderEpoch = epoch
            }
            if config.policy.usesSpectra {
                let t0 = clock.now
                try balance.update(step: step, epochStep: b, parameters: model.parameters)
                analysisSeconds += clock.now - t0
            }
            let t0 = clock.now
            let eta = Double(schedule(step))
            if config.policy != .none { balance.recordStep(eta: eta) }
            let rows = min(B, n - b * B)
            for r in 0..<rows {
                let i = order[b * B + r]
                xBatch.withUnsafeMutableBufferPointer { xb in
                    data.trainX.withUnsafeBufferPointer { (xb.baseAddress! + r * d).update(from: $0.baseAddress! + i * d, count: d) }
                }
                yBatch[r] = data.trainY[i]
            }
            model.parameters.grads.zero()
            var dropoutRNG = SeededRNG(seed: config.seed, stream: .dropout(step: step))
            let loss = model.forward(xBatch, labels: yBatch, batch: rows, training: true, rng: &dropoutRNG)
            guard loss.isFinite else { throw TrainError.diverged(step: step) }
            correct += yBatch.withUnsafeBufferPointer { MLP<Float>.countCorrect(model.probabilities, labels: $0.baseAddress!, batch: rows, classes: data.classes) }
            model.backward()
            let w0 = clock.now
            balance.weightsWillChange()   // a recomputation in flight has copied the weights
            let waited = clock.now - w0
            optimizer.step(model.parameters, eta: eta, multipliers: active)
            lossSum += loss * Double(rows)
            seen += rows
            step += 1
            trainSeconds += clock.now - t0 - waited
            analysisSeconds += waited
            if step % logEvery == 0 || step == totalSteps || step == config.stopAfter {
                let t1 = clock.now
                test = model.evaluate(x: data.testX, y: data.testY)
                if validation.count > 0 {
                    val = model.evaluate(x: validation.x, y: validation.y)
                    if bestValidation == nil || val!.accuracy > bestValidation! {
                        bestValidation = val!.accuracy
                        try CheckpointIO.save(model.parameters, metadata: weightsMetadata(), to: config.out + "/best.safetensors")
                    }
                }
                if bestAccuracy == nil || test!.accuracy > bestAccuracy! {
                    bestAccuracy = test!.accuracy
                    bestStep = step
                    if validation.count == 0 {
                        try CheckpointIO.save(model.parameters, metadata: weightsMetadata(), to: config.out + "/best.safetensors")
                    }
                }
                try log.write(try intervalLine(eta: eta, trainLoss: lossSum / Double(max(1, seen)),
                                               trainAccuracy: Double(correct) / Double(max(1, seen)), test: test!,
                                               validation: val, clock: clock))
                try saveResume(clock: clock)
                progress?(String(format: "step %d/%d  loss %.4f  test accuracy %.4f", step, totalSteps, lossSum / Double(max(1, seen)), test!.accuracy))
                lossSum = 0; seen = 0; correct = 0
                evalSeconds += clock.now - t1
            }
        }
        let t2 = clock.now
        try balance.settle()   // nothing reads the weights after training
        analysisSeconds += clock.now - t2
        let finished = step == totalSteps
        if finished {
            try CheckpointIO.save(model.parameters, metadata: weightsMetadata(), to: config.out + "/model.safetensors")
            let t = test ?? model.evaluate(x: data.testX, y: data.testY)
            test = t
            if validation.count > 0 && val == nil { val = model.evaluate(x: validation.x, y: validation.y) }
            var metrics: [TrainingLog.Value] = [.init("test_accuracy", t.accuracy), .init("test_loss", t.loss)]
            if let v = val { metrics += [.init("val_accuracy", v.accuracy), .init("val_loss", v.loss)] }
            try log.write(TrainingLog.Final(
                step: step, metrics: metrics,
                best: TrainingLog.Best(step: bestStep, metric: "test_accuracy", value: bestAccuracy),
                timing: [.init("train", trainSeconds), .init("analysis", analysisSeconds), .init("eval", evalSeconds)],
                seconds: elapsedBefore + clock.now))
        }
        let examples = Double(min(step, totalSteps)) * Double(config.batchSize)
        return TrainOutcome(steps: step, finished: finished, validation: val, test: test, bestStep: bestStep, bestAccuracy: bestAccuracy,
                            trainSeconds: trainSeconds, analysisSeconds: analysisSeconds, evalSeconds: evalSeconds,
                            examplesPerSecond: trainSeconds > 0 ? examples / trainSeconds : 0,
                            balancedLayers: config.policy != .none ? balancedLayers : [], multipliers: config.policy != .none ? balance.summary : MultiplierSummary(bounds: nil))
    }

    // MARK: log lines

    func runLine() throws -> TrainingLog.Run {
        let details = JSONValue.members([
            "balanced_layers": .strings(config.policy != .none ? balancedLayers : []),
            "train_examples": .int(data.trainCount), "validation_examples": .int(validation.count), "test_examples": .int(data.testCount),
            "steps": .int(totalSteps), "steps_per_epoch": .int(stepsPerEpoch), "balance_every": .int(balanceEvery),
            "init_kept": .strings(keptOnInit),
        ])
        return TrainingLog.Run(model: config.model, task: "classification", data: config.data.rawValue, seed: config.seed,
                               policy: config.policy.rawValue, args: try TrainingLog.options(config), layers: layerNames,
                               details: details.objectMembers ?? [])
    }

    func intervalLine(eta: Double, trainLoss: Double, trainAccuracy: Double, test: Evaluation, validation: Evaluation?,
                      clock: Clock) throws -> TrainingLog.Interval {
        var alphas: [String: Double] = [:]
        if config.policy == .tempbalance {
            for d in decisions { if let m = d.metric { alphas[d.name] = m } }
        } else {
            for f in try probe.fits(model.parameters, layers: layerNames) { if let m = f.metric { alphas[f.name] = m } }
        }
        let entries = model.parameters.entries
        let layers = layerNames.map { name in
            let k = entries.firstIndex { $0.name == name + ".weight" }!
            return TrainingLog.LayerEntry(name: name, alpha: alphas[name], learningRate: eta * active[k], multiplier: active[k])
        }
        return TrainingLog.Interval(
            step: step, epoch: Double(step) / Double(stepsPerEpoch), learningRate: eta, trainLoss: trainLoss,
            metrics: [.init("train_accuracy", trainAccuracy), .init("test_accuracy", test.accuracy), .init("test_loss", test.loss)]
                + (validation.map { [.init("val_accuracy", $0.accuracy), .init("val_loss", $0.loss)] } ?? []),
            layers: layers, seconds: elapsedBefore + clock.now)
    }

    func weightsMetadata() -> [String: String] {
        ["format": "pt", "htsr_model": "mlp", "htsr_step": String(step),
         "htsr_config": (try? TrainingLog.options(config).text()) ?? ""]
    }
}

/// Seconds since creation.
struct Clock {
    let start = DispatchTime.now().uptimeNanoseconds
    var now: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
