import Foundation
import Train

/// The lines of a fine-tuning run's `log.jsonl`, in the training-log format (`htsr-train-log`,
/// version 1) that `htsr plot` reads: `run`, one `interval` per epoch, `final`.
extension FinetuneTrainer {
    func runLine() throws -> JSONLine {
        .object([
            ("kind", .string("run")), ("format", .string("htsr-train-log")), ("version", .int(1)),
            ("model", .string("bert")), ("task", .string("classification")), ("data", .string(config.data.isEmpty ? data.name : config.data)),
            ("seed", .int(Int(config.seed))), ("policy", .string(config.policy.rawValue)),
            ("args", try JSONLine.encoding(config)),
            ("pretrained", .string(pretrained.folder)),
            ("encoder", try JSONLine.encoding(pretrained.config)),
            ("classes", .array(data.classNames.map { .string($0) })),
            ("layers", .array(model.config.linearNames.map { .string($0) })),
            ("balanced_layers", .array((config.policy == .tempbalance ? balancedLayers : []).map { .string($0) })),
            ("initialized", .array(initialized.map { .string($0) })),
            ("train_examples", .int(data.train.count)), ("validation_examples", .int(data.validation.count)),
            ("test_examples", .int(data.test.count)),
            ("steps", .int(totalSteps)), ("steps_per_epoch", .int(stepsPerEpoch)), ("balance_every", .int(balanceInterval)),
        ])
    }

    /// Per layer α (TempBalance's latest recomputation, or — without the policy — the spectra now),
    /// rate and multiplier; per block its mean α and multiplier.
    func intervalLine(eta: Double, validation: Evaluation, seconds: Double) throws -> JSONLine {
        let layerNames = model.config.linearNames
        let decisions: [LayerDecision]
        if config.policy == .tempbalance {
            decisions = balance.decisions
        } else {
            decisions = TempBalance.decide(try probe.fits(model.parameters, layers: layerNames), options: config.policyOptions)
        }
        let alphas = Dictionary(decisions.compactMap { d in d.metric.map { (d.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let entries = model.parameters.entries
        let index = Dictionary(entries.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let active = balance.active
        let layers: [JSONLine] = layerNames.map { name in
            let k = index[name + ".weight"]!
            let m = active[k] * fixedMultipliers[k]
            return .object([("name", .string(name)), ("alpha", .optional(alphas[name])), ("lr", .number(eta * m)), ("multiplier", .number(m))])
        }
        var blocks: [JSONLine] = []
        var seen = Set<String>()
        for d in decisions {
            guard let g = d.group, seen.insert(g).inserted, let k = index[d.name + ".weight"] else { continue }
            blocks.append(.object([("name", .string(g)), ("alpha", .optional(d.groupMetric)), ("multiplier", .number(active[k]))]))
        }
        return .object([
            ("kind", .string("interval")), ("step", .int(step)), ("epoch", .number(Double(step) / Double(stepsPerEpoch))),
            ("lr", .number(eta)), ("train_loss", .number(epochLoss / Double(max(1, epochSeen)))),
            ("metrics", .object([("train_accuracy", .number(Double(epochCorrect) / Double(max(1, epochSeen)))),
                                 ("validation_accuracy", .number(validation.accuracy)), ("validation_loss", .number(validation.loss))])),
            ("layers", .array(layers)), ("blocks", .array(blocks)), ("seconds", .number(seconds)),
        ])
    }

    func finalLine(test: Evaluation, seconds: Double) -> JSONLine {
        .object([
            ("kind", .string("final")), ("step", .int(step)),
            ("metrics", .object([("test_accuracy", .number(test.accuracy)), ("test_loss", .number(test.loss)),
                                 ("validation_accuracy", .optional(bestValidation?.accuracy)),
                                 ("validation_loss", .optional(bestValidation?.loss))])),
            ("best", .object([("step", bestEpoch.map { .int($0 * stepsPerEpoch) } ?? .null), ("metric", .string("validation_accuracy")),
                              ("value", .optional(bestValidation?.accuracy))])),
            ("best_epoch", bestEpoch.map { .int($0) } ?? .null),
            ("timing", .object([("train", .number(trainSeconds)), ("analysis", .number(analysisSeconds)), ("eval", .number(evalSeconds))])),
            ("seconds", .number(seconds)),
        ])
    }
}
