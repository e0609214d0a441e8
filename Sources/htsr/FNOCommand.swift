import ArgumentParser
import FNO
import Foundation
import Train

struct FNOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fno",
        abstract: "Fourier Neural Operators (FNO1d/FNO2d) on PDEBench-layout data, optionally with TempBalance.",
        subcommands: [FNOTrainCommand.self, FNOExperimentCommand.self])
}

struct FNOTrainCommand: ParsableCommand, NamesSettings {
    static let flagNames = FNOArguments.flagNames

    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an FNO (autoregressive rollout; Darcy: one step from a to u).",
        discussion: """
        Writes OUT/log.jsonl (the htsr-train-log format, task regression: test/val nRMSE and RMSE as PDEBench
        defines them), OUT/model.safetensors and, with a validation set, OUT/best.safetensors.
        Example: htsr fno train --data darcy.h5 --reduced-batch 10 --policy tempbalance --s 0.25 --out runs/fno-tb
        """)

    @OptionGroup var options: FNOArguments
    @Option(help: "Output folder.") var out: String
    @Flag(name: .shortAndLong, help: "No progress lines on standard error.") var quiet = false

    func validate() throws {
        try validated(Self.flagNames) { try options.config(out: out).validate() }
        var inputs = CommandInputs()
        inputs.file(options.data)
        try inputs.check(folder: out, option: "--out", replaces: false)
        for name in FNOTrainer.outputFiles { try inputs.check(file: out + "/" + name, option: "--out") }
    }

    func run() throws {
        let trainer = try FNOTrainer(config: options.config(out: out))
        let o = try trainer.run(progress: quiet ? nil : { Terminal.error($0) })
        print(FNOSummary.lines(o, trainer: trainer))
    }
}
