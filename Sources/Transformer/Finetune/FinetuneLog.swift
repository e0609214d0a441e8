import Checkpoint
import Foundation
import Train

/// The lines of a fine-tuning run's `log.jsonl`, in Train's training-log format (`TrainingLog`):
/// `run`, one `interval` per epoch, `final`.
extension FinetuneTrainer {
    func runLine() throws -> TrainingLog.Run {
        TrainingLog.Run(
            model: "bert", task: "classification", data: config.data.isEmpty ? data.name : config.data, seed: config.seed,
            policy: config.policy.rawValue, args: try TrainingLog.options(config), layers: model.config.linearNames,
            details: [
                JSONMember(key: "balanced_layers", value: .strings(config.policy != .none ? balancedLayers : [])),
                JSONMember(key: "pretrained", value: .string(pretrained.folder)),
                JSONMember(key: "encoder", value: try TrainingLog.options(pretrained.config)),
                JSONMember(key: "classes", value: .strings(data.classNames)),
                JSONMember(key: "initialized", value: .strings(initialized)),
                JSONMember(key: "train_examples", value: .int(data.train.count)),
                JSONMember(key: "validation_examples", value: .int(data.validation.count)),
                JSONMember(key: "test_examples", value: .int(data.test.count)),
                JSONMember(key: "steps", value: .int(totalSteps)), JSONMember(key: "steps_per_epoch", value: .int(stepsPerEpoch)),
                JSONMember(key: "balance_every", value: .int(balanceInterval)),
            ])
    }

    /// Per layer α (TempBalance's latest recomputation, or — without the policy — the spectra now),
    /// rate and multiplier; per block (`blocks`) its mean α and multiplier.
    func intervalLine(eta: Double, validation: Evaluation, seconds: Double) throws -> TrainingLog.Interval {
        let layerNames = model.config.linearNames
        let decisions: [LayerDecision]
        if config.policy == .tempbalance {
            decisions = balance.decisions
        } else if !config.logSpectra {
            decisions = []
        } else {
            decisions = TempBalance.decide(try probe.fits(model.parameters, layers: layerNames), options: config.policyOptions)
        }
        let alphas = Dictionary(decisions.compactMap { d in d.metric.map { (d.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let index = Dictionary(model.parameters.entries.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let active = balance.active
        let layers = layerNames.map { name -> TrainingLog.LayerEntry in
            let k = index[name + ".weight"]!
            let m = active[k] * fixedMultipliers[k]
            return TrainingLog.LayerEntry(name: name, alpha: alphas[name], learningRate: eta * m, multiplier: m)
        }
        var blocks: [JSONValue] = []
        var seen = Set<String>()
        for d in decisions {
            guard let g = d.group, seen.insert(g).inserted, let k = index[d.name + ".weight"] else { continue }
            blocks.append(.members(["name": .string(g), "alpha": .double(d.groupMetric), "multiplier": .double(active[k])]))
        }
        return TrainingLog.Interval(
            step: step, epoch: Double(step) / Double(stepsPerEpoch), learningRate: eta,
            trainLoss: epochLoss / Double(max(1, epochSeen)),
            metrics: [TrainingLog.Value("train_accuracy", Double(epochCorrect) / Double(max(1, epochSeen))),
                      TrainingLog.Value("validation_accuracy", validation.accuracy), TrainingLog.Value("validation_loss", validation.loss)],
            layers: layers, seconds: seconds, details: [JSONMember(key: "blocks", value: .array(blocks))])
    }

    /// The last line; `test` is nil when the run defers the test split (`FinetuneConfig.testAtEnd`).
    func finalLine(test: Evaluation?, seconds: Double) -> TrainingLog.Final {
        TrainingLog.Final(
            step: step,
            metrics: [TrainingLog.Value("test_accuracy", test?.accuracy), TrainingLog.Value("test_loss", test?.loss),
                      TrainingLog.Value("validation_accuracy", bestValidation?.accuracy),
                      TrainingLog.Value("validation_loss", bestValidation?.loss)],
            best: TrainingLog.Best(step: bestEpoch.map { $0 * stepsPerEpoch }, metric: "validation_accuracy", value: bestValidation?.accuracy),
            timing: [TrainingLog.Value("train", trainSeconds), TrainingLog.Value("analysis", analysisSeconds),
                     TrainingLog.Value("eval", evalSeconds)],
            seconds: seconds)
    }
}
