import ArgumentParser
import Foundation
import Train

struct TrainCommand: ParsableCommand, NamesSettings {
    static let flagNames = TrainArguments.flagNames

    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on the CPU, optionally with TempBalance learning rates.",
        discussion: """
        Writes OUT/log.jsonl (one JSON line per log interval), OUT/model.safetensors (final weights),
        OUT/best.safetensors (best test accuracy) and OUT/resume.safetensors (for --resume).
        Example: htsr train --data mnist5k --train-ratio 0.05 --policy tempbalance --seed 1 --out runs/tb
        """)

    @OptionGroup var training: TrainArguments

    @Option(help: "Output folder.")
    var out: String

    @Option(name: .customLong("init"), help: ArgumentHelp("Fine-tune from this safetensors checkpoint (a new head if the class count differs).", valueName: "CHECKPOINT"))
    var initCheckpoint: String?

    @Flag(help: "With --init: start the classifier head afresh.")
    var newHead = false

    @Flag(help: "Continue the run in --out from its resume.safetensors (same options).")
    var resume = false

    @Option(help: "Stop after this many steps (resume later with --resume); \(TrainConfig.Limits.count).")
    var stopAfter: Int?

    @Flag(name: .shortAndLong, help: "No progress lines on standard error.")
    var quiet = false

    /// The run's settings, checked (a value out of range is a usage error naming its flag).
    func config() throws -> TrainConfig {
        var config = try training.config(out: out)
        config.initCheckpoint = initCheckpoint
        config.newHead = newHead
        config.resume = resume
        config.stopAfter = stopAfter
        try validated(Self.flagNames) { try config.validate() }
        return config
    }

    func validate() throws {
        let config = try config()
        var inputs = CommandInputs()
        inputs.file(config.initCheckpoint)
        inputs.folder(config.dataDir)
        try inputs.check(folder: out, option: "--out", replaces: false)
        for name in Trainer.outputFiles where !(resume && name == "resume.safetensors") {
            try inputs.check(file: out + "/" + name, option: "--out")
        }
    }

    func run() throws {
        let config = try config()
        let dataset = try config.data.load(folder: config.dataDir)
        let trainer = try Trainer(config: config, dataset: dataset)
        let outcome = try trainer.run(progress: quiet ? nil : { Terminal.error($0) })
        print(TrainReport.summary(outcome, trainer: trainer))
    }
}

/// The lines `htsr train` prints at the end.
enum TrainReport {
    static func summary(_ o: TrainOutcome, trainer: Trainer) -> String {
        var lines: [String] = []
        let c = trainer.config
        lines.append("\(c.data.rawValue): \(trainer.data.trainCount) training / \(trainer.data.testCount) test examples, \(o.steps)/\(trainer.totalSteps) steps")
        if let t = o.test { lines.append(String(format: "test accuracy %.4f  test loss %.4f", t.accuracy, t.loss)) }
        if let b = o.bestAccuracy, let s = o.bestStep { lines.append(String(format: "best test accuracy %.4f at step %d", b, s)) }
        if c.policy != .none {
            lines.append("TempBalance balanced \(o.balancedLayers.joined(separator: ", ")) every \(trainer.balanceEvery) steps; analysis \(String(format: "%.2f", o.analysisSeconds)) s = \(String(format: "%.1f", 100 * o.analysisSeconds / max(1e-9, o.trainSeconds))) % of training")
        }
        lines.append(String(format: "training %.2f s (%.0f examples/s)", o.trainSeconds, o.examplesPerSecond))
        lines.append(o.finished ? "wrote \(c.out)/model.safetensors, best.safetensors, log.jsonl" : "stopped; continue with --resume")
        return lines.joined(separator: "\n")
    }
}
