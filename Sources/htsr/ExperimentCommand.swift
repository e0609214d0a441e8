import ArgumentParser
import Experiments
import Foundation
import Plot
import Train

struct ExperimentCommand: ParsableCommand, NamesSettings {
    static let flagNames = TrainArguments.flagNames.merging(FlagNames(overrides: ["learning_rates": "--lrs"]))

    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Baseline vs TempBalance over data ratios × seeds, each with its best learning rate from one grid.",
        discussion: """
        Runs every (ratio, learning rate, seed, policy) with the training options given (--lr, --seed,
        --policy and --train-ratio are replaced by the grid), skipping runs that already finished, and
        writes REPORTS/NAME.{md,csv,dat} and, when gnuplot is installed, NAME.png: per ratio the mean ± std final test accuracy of each
        policy at its best learning rate (mean over seeds).
        """)

    @OptionGroup var training: TrainArguments

    @Option(help: "A name for this setting (file names, table title).")
    var name: String

    @Option(help: "Training-data fractions, comma-separated, each in \(ExperimentPlan.Limits.ratio); at most \(ExperimentPlan.Limits.gridSize.upper) values.")
    var ratios: String = "0.01,0.02,0.05,0.1,1"

    @Option(help: "Seeds, comma-separated: any 64-bit unsigned integers, at most \(ExperimentPlan.Limits.gridSize.upper).")
    var seeds: String = "1,2,3"

    @Option(help: "The learning-rate grid shared by both policies, comma-separated, each in \(TrainConfig.Limits.lr); at most \(ExperimentPlan.Limits.gridSize.upper) values.")
    var lrs: String = "0.01,0.03,0.1"

    @Option(help: "Minimum optimizer steps per run; \(ExperimentPlan.Limits.steps).")
    var minSteps: Int = 500

    @Option(help: "Maximum optimizer steps per run; \(ExperimentPlan.Limits.steps), at least --min-steps.")
    var maxSteps: Int = 6000

    @Option(name: .customLong("init"), help: ArgumentHelp("Fine-tune every run from this checkpoint.", valueName: "CHECKPOINT"))
    var initCheckpoint: String?

    @Option(help: "Folder for the runs.")
    var runs: String = "runs/experiment"

    @Option(help: "Folder for the table and figure.")
    var reports: String = "reports/experiment"

    /// The experiment the options describe, checked (a bad value is a usage error).
    func plan() throws -> ExperimentPlan {
        var base = try training.config(out: runs)
        base.initCheckpoint = initCheckpoint
        var plan = ExperimentPlan(name: name, base: base, ratios: try commaSeparated(ratios, option: "ratios") { Double($0) },
                                  seeds: try commaSeparated(seeds, option: "seeds") { UInt64($0) },
                                  learningRates: try commaSeparated(lrs, option: "lrs") { Float($0) },
                                  minSteps: minSteps, maxSteps: maxSteps, runsFolder: runs)
        plan.base.trainRatio = nil
        try validated(Self.flagNames) { try plan.validate() }
        return plan
    }

    func validate() throws {
        let plan = try plan()
        var inputs = CommandInputs()
        inputs.file(plan.base.initCheckpoint)
        inputs.folder(plan.base.dataDir)
        try inputs.check(folder: runs, option: "--runs", replaces: false)
        try inputs.check(folder: reports, option: "--reports", replaces: false)
        // The runs of this experiment go to RUNS/NAME/…: an input there could be overwritten.
        try inputs.check(folder: runs + "/" + name, option: "--runs", replaces: true)
    }

    func run() throws {
        let plan = try plan(), base = plan.base
        let dataset = try base.data.load(folder: base.dataDir)
        let results = try Experiment.run(plan, dataset: dataset) { Terminal.error($0) }
        let title = "\(name): \(base.data.rawValue), MLP \(base.hidden.map(String.init).joined(separator: "-")), \(plan.seeds.count) seeds"
        let written = try ExperimentReport.write(title: title, name: name, runs: results, to: reports, gnuplot: try? GnuplotLocator.find())
        print(ExperimentReport.markdown(title: title, cells: Experiment.table(results)))
        print("wrote " + written.joined(separator: ", "))
    }
}
