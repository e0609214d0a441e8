import Checkpoint
import Dispatch
import Foundation
import LinearAlgebra
import Random
import Settings
import Train

/// What a finished FNO run reports.
public struct FNOOutcome: Sendable {
    public var epochs: Int
    public var steps: Int
    public var finalTrainLoss: Double
    public var validation: RegressionMetrics?
    public var test: RegressionMetrics
    /// The test set scored by the persistence reference (the last context frame held;
    /// `RegressionMetrics.persistence`); nil for Darcy, whose one step maps a to u.
    public var testPersistence: RegressionMetrics?
    public var trainSeconds: Double
    public var analysisSeconds: Double
    public var evalSeconds: Double
    /// Training samples per second (each sample's whole rollout counts once).
    public var samplesPerSecond: Double
    /// The multipliers the policy applied (empty without a policy).
    public var multipliers: MultiplierSummary
}

/// Trains an FNO on a PDEBench-layout file (PDEBench's `train.py` loop, with TempBalance as an
/// option): Adam with L2 decay on every tensor, StepLR per epoch, shuffled batches, the
/// autoregressive rollout loss; TempBalance recomputes every epoch before its first step.
///
/// Files in `config.out`: `log.jsonl` (`TrainingLog`'s format, `"task":"regression"`),
/// `model.safetensors` (final weights, the reference's names; complex weights as [..., 2]),
/// `best.safetensors` (lowest validation nRMSE at an evaluation, when there is a validation set).
public final class FNOTrainer {
    public let config: FNOTrainConfig
    public let data: FNODataSet
    public let model: FNOModel<Float>
    public let rollout: Rollout
    public let initialStep: Int
    public let tTrain: Int
    public let stepsPerEpoch: Int
    public let evalEvery: Int
    var optimizer: Optimizer
    let schedule: Schedule
    var active: [Double]
    var decisions: [LayerDecision] = []
    var spectra: [FNOLayerSpectrum] = []

    /// Loads the data and builds the model.
    public init(config: FNOTrainConfig) throws {
        try config.validate()
        self.config = config
        data = try FNODataSet(path: config.data, testCount: config.testSamples, validationCount: config.validationSamples,
                              reducedBatch: config.reducedBatch, poolOffset: config.poolOffset, reducedResolution: config.reducedResolution,
                              reducedResolutionT: config.reducedResolutionT, darcyScale: config.darcyScale)
        guard data.train.count > 0 else { throw TrainError.badData(file: config.data, problem: "the training subset is empty") }
        initialStep = config.initialStep ?? (data.layout == .darcy ? 1 : 10)
        tTrain = config.tTrain ?? data.frames
        try InvalidSetting.require(initialStep < data.frames, "initial_step", initialStep,
                                   "below the data's \(data.frames) frames (it leaves no frame to predict)")
        try InvalidSetting.require(tTrain > initialStep && tTrain <= data.frames, "t_train", tTrain,
                                   "in [\(initialStep + 1), \(data.frames)] (initial_step \(initialStep), \(data.frames) frames)",
                                   related: ["initial_step"])
        let mc = FNOConfig(spatialShape: data.spatialShape, inputChannels: initialStep * data.channels, outputChannels: data.channels,
                           width: config.width, modes: config.modes, layers: config.layers, padding: config.padding,
                           projection: config.projection)
        try mc.validate()
        try mc.memoryPlan(batch: config.batchSize, tapes: tTrain - initialStep).check("training the FNO")
        model = try FNOModel(config: mc, grid: data.grid, maxBatch: config.batchSize)
        var rng = SeededRNG(seed: config.seed, stream: .initialization)
        model.initialize(rng: &rng)
        rollout = Rollout(model: model, initialStep: initialStep, channels: data.channels)
        var o = OptimizerSettings(kind: .adam)
        o.weightDecay = config.weightDecay
        optimizer = o.make(layout: model.parameters.layout, decays: .all)
        stepsPerEpoch = (data.train.count + config.batchSize - 1) / config.batchSize
        evalEvery = config.evalEvery ?? max(1, config.epochs / 10)
        schedule = ScheduleKind.step.schedule(base: config.lr, totalSteps: config.epochs, stepSize: config.stepSize, gamma: config.gamma)
        active = Array(repeating: 1, count: model.parameters.entries.count)
        if config.policy == .uniform {
            // The layers TempBalance would balance, by their full eigenvalue counts.
            let fits = layerNames.map { name in
                LayerFit(name: name, eigenvalueCount: FNOBalance.eigenvalueCount(name, parameters: model.parameters, options: config.balance), metric: 0)
            }
            decisions = TempBalance.uniform(fits, multiplier: config.uniformMultiplier, options: config.balance.policy)
            active = TempBalance.route(parameterNames: model.parameters.entries.map(\.name), decisions: decisions,
                                       options: config.balance.policy).map(\.multiplier)
        }
    }

    var layerNames: [String] { FNOBalance.layers(model.config, options: config.balance) }
    /// The files a run writes into its `out` folder.
    public static let outputFiles = ["log.jsonl", "model.safetensors", "best.safetensors"]

    var logPath: String { config.out + "/log.jsonl" }

    /// The layers TempBalance balances at the current weights' eigenvalue counts (fc2 drops out).
    public var balancedLayers: [String] { decisions.filter { $0.excluded == nil }.map(\.name) }

    /// Runs every epoch, logging to `<out>/log.jsonl`.
    @discardableResult
    public func run(progress: ((String) -> Void)? = nil) throws -> FNOOutcome {
        try FileManager.default.createDirectory(atPath: config.out, withIntermediateDirectories: true)
        let log = try TrainingLogWriter(path: logPath, append: false)
        try log.write(runLine())
        BLASThreads.set(config.blasThreads)
        let start = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let B = config.batchSize, size = data.sampleSize, n = data.train.count
        var batch = [Float](repeating: 0, count: B * size)
        var trainSeconds = 0.0, analysisSeconds = 0.0, evalSeconds = 0.0
        var step = 0, lastLoss = 0.0
        var validation: RegressionMetrics?, test = RegressionMetrics()
        var bestValidation: Double?, bestStep: Int?
        var summary = MultiplierSummary(bounds: config.policy.usesSpectra ? config.balance.policy : nil)
        for epoch in 0..<config.epochs {
            // The frozen control computes the spectra once, before the first epoch.
            if config.policy == .tempbalance || (config.policy == .frozen && epoch == 0) {
                let t0 = now()
                try balance()
                analysisSeconds += now() - t0
            }
            let t0 = now()
            let eta = Double(schedule(epoch))
            let balanced = decisions.filter { $0.excluded == nil }.map { d in
                (d.name, active[model.parameters.entries.firstIndex { $0.module == d.name }!])
            }
            var r = SeededRNG(seed: config.seed, stream: .fnoEpochOrder(epoch))
            let order = r.permutation(n)
            var lossSum = 0.0
            for b in 0..<stepsPerEpoch {
                let rows = min(B, n - b * B)
                data.train.values.withUnsafeBufferPointer { all in
                    batch.withUnsafeMutableBufferPointer { out in
                        for k in 0..<rows {
                            (out.baseAddress! + k * size).update(from: all.baseAddress! + order[b * B + k] * size, count: size)
                        }
                    }
                }
                model.parameters.grads.zero()
                let loss = try batch.withUnsafeBufferPointer {
                    try rollout.trainStep(data: $0.baseAddress!, batch: rows, frames: data.frames, tTrain: tTrain)
                }
                guard loss.isFinite else { throw TrainError.diverged(step: step) }
                optimizer.step(model.parameters, eta: eta, multipliers: active)
                if config.policy != .none { summary.record(eta: eta, multipliers: balanced) }
                lossSum += loss
                step += 1
            }
            lastLoss = lossSum / Double(stepsPerEpoch)
            trainSeconds += now() - t0
            let evaluate = (epoch + 1) % evalEvery == 0 || epoch + 1 == config.epochs
            var metrics: [TrainingLog.Value] = [.init("train_loss_per_batch", lastLoss)]
            if evaluate {
                let t1 = now()
                if data.validation.count > 0 {
                    let v = try rollout.evaluate(data.validation, frames: data.frames)
                    validation = v
                    metrics += [.init("val_nrmse", v.nrmse), .init("val_rmse", v.rmse)]
                    if let x = v.nrmse, bestValidation == nil || x < bestValidation! {
                        bestValidation = x
                        bestStep = step
                        try CheckpointIO.save(model.parameters, metadata: weightsMetadata(epoch: epoch + 1), to: config.out + "/best.safetensors")
                    }
                }
                test = try rollout.evaluate(data.test, frames: data.frames)
                metrics += [.init("test_nrmse", test.nrmse), .init("test_rmse", test.rmse)]
                if config.policy != .tempbalance { spectra = FNOBalance.spectra(model.parameters, config: model.config, options: config.balance) }
                evalSeconds += now() - t1
                progress?(String(format: "epoch %d/%d  loss %.5f  test nRMSE %.4f%@", epoch + 1, config.epochs, lastLoss,
                                 test.nrmse ?? .nan, validation?.nrmse.map { String(format: "  val nRMSE %.4f", $0) } ?? ""))
            }
            try log.write(intervalLine(step: step, epoch: epoch + 1, eta: eta, trainLoss: lastLoss, metrics: metrics,
                                       alphas: config.policy.usesSpectra || evaluate, seconds: now()))
        }
        try CheckpointIO.save(model.parameters, metadata: weightsMetadata(epoch: config.epochs), to: config.out + "/model.safetensors")
        var final: [TrainingLog.Value] = [.init("test_nrmse", test.nrmse), .init("test_rmse", test.rmse),
                                          .init("train_loss_per_batch", lastLoss)]
        if let v = validation { final += [.init("val_nrmse", v.nrmse), .init("val_rmse", v.rmse)] }
        if data.channels > 1 {
            for (name, value) in zip(data.channelNames, test.channelNRMSE) { final.append(.init("test_nrmse_\(name)", value)) }
        }
        let persistence = data.layout == .darcy ? nil : data.test.values.withUnsafeBufferPointer {
            RegressionMetrics.persistence($0.baseAddress!, count: data.test.count, points: data.points, frames: data.frames,
                                          channels: data.channels, initialStep: initialStep)
        }
        if let p = persistence { final.append(.init("test_nrmse_persistence", p.nrmse)) }
        let samplesPerSecond = trainSeconds > 0 ? Double(n * config.epochs) / trainSeconds : 0
        try log.write(TrainingLog.Final(
            step: step, metrics: final, best: TrainingLog.Best(step: bestStep, metric: "val_nrmse", value: bestValidation),
            timing: [.init("train", trainSeconds), .init("analysis", analysisSeconds), .init("eval", evalSeconds),
                     .init("samples_per_second", samplesPerSecond)],
            seconds: now()))
        return FNOOutcome(epochs: config.epochs, steps: step, finalTrainLoss: lastLoss, validation: validation, test: test,
                          testPersistence: persistence,
                          trainSeconds: trainSeconds, analysisSeconds: analysisSeconds, evalSeconds: evalSeconds,
                          samplesPerSecond: samplesPerSecond, multipliers: summary)
    }

    /// Recomputes the spectra and the per-entry multipliers (applied at once).
    func balance() throws {
        spectra = FNOBalance.spectra(model.parameters, config: model.config, options: config.balance)
        let d = FNOBalance.decide(spectra, parameterNames: model.parameters.entries.map(\.name), options: config.balance)
        decisions = d.decisions
        active = d.multipliers
    }

    func runLine() throws -> TrainingLog.Run {
        let details = JSONValue.members([
            "model_config": try TrainingLog.options(model.config),
            "train_samples": .int(data.train.count), "validation_samples": .int(data.validation.count),
            "test_samples": .int(data.test.count), "pool_samples": .int(data.poolCount),
            "initial_step": .int(initialStep), "t_train": .int(tTrain), "frames": .int(data.frames),
            "steps_per_epoch": .int(stepsPerEpoch),
        ])
        return TrainingLog.Run(model: model.config.modelName, task: "regression", data: (config.data as NSString).lastPathComponent,
                               seed: config.seed, policy: config.policy.rawValue, args: try TrainingLog.options(config),
                               layers: layerNames, details: details.objectMembers ?? [])
    }

    func intervalLine(step: Int, epoch: Int, eta: Double, trainLoss: Double, metrics: [TrainingLog.Value], alphas: Bool,
                      seconds: Double) -> TrainingLog.Interval {
        let entries = model.parameters.entries
        let alpha = Dictionary(spectra.map { ($0.name, $0.alpha) }, uniquingKeysWith: { a, _ in a })
        let layers = layerNames.map { name in
            let k = entries.firstIndex { $0.module == name }!
            return TrainingLog.LayerEntry(name: name, alpha: alphas ? alpha[name] ?? nil : nil, learningRate: eta * active[k],
                                          multiplier: active[k])
        }
        return TrainingLog.Interval(step: step, epoch: Double(epoch), learningRate: eta, trainLoss: trainLoss, metrics: metrics,
                                    layers: layers, seconds: seconds)
    }

    func weightsMetadata(epoch: Int) -> [String: String] {
        ["format": "pt", "htsr_model": model.config.modelName, "htsr_epoch": String(epoch),
         "htsr_model_config": (try? TrainingLog.options(model.config).text()) ?? "",
         "htsr_config": (try? TrainingLog.options(config).text()) ?? ""]
    }
}
