import ArgumentParser
import Experiments
import FNO
import Foundation
import Plot
import Train

struct FNOExperimentCommand: ParsableCommand, NamesSettings {
    static let flagNames = FNOArguments.flagNames.merging(FlagNames(overrides: ["learning_rates": "--lrs", "evaluations_per_run": "--evaluations"]))

    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "FNO baseline vs TempBalance over training-set strides × seeds, learning rates chosen on a validation set.",
        discussion: """
        Runs every (reduced batch, learning rate, seed, policy) with the options given (--lr, --seed, --policy,
        --reduced-batch, --epochs and --s are replaced by the grid), skipping runs that already finished, and
        writes REPORTS/NAME.{md,csv,dat} (and NAME.png when gnuplot is installed): per data ratio the mean ± std test nRMSE of each policy at the
        learning rate with its lowest mean validation nRMSE, and the relative change; plus NAME-dynamics-{alpha,lr}.png
        (per-layer α and learning rate over the steps) of the first TempBalance run at the smallest ratio.
        """)

    @OptionGroup var training: FNOArguments
    @Option(help: "A name for this setting (file names, table title).") var name: String
    @Option(help: "Training-pool strides (reduced_batch), comma-separated, each in \(FNOTrainConfig.Limits.count); at most \(FNOExperimentPlan.Limits.gridSize.upper) values.") var reducedBatches: String = "1,4,10,40,160"
    @Option(help: "TempBalance's s per stride, comma-separated, each in \(PolicyOptions.Limits.scale) (default: the reference's value for the nearest data ratio).")
    var sValues: String?
    @Option(help: "Seeds, comma-separated: any 64-bit unsigned integers, at most \(FNOExperimentPlan.Limits.gridSize.upper).") var seeds: String = "1,2,3"
    @Option(help: "The learning-rate grid shared by both policies, comma-separated, each in \(FNOTrainConfig.Limits.lr); at most \(FNOExperimentPlan.Limits.gridSize.upper) values.") var lrs: String = "0.001,0.0025,0.005"
    @Option(help: "Optimizer steps per run (epochs = steps / steps per epoch); \(FNOExperimentPlan.Limits.targetSteps).") var targetSteps: Int = 150
    @Option(help: "Minimum epochs per run; \(FNOExperimentPlan.Limits.epochs).") var minEpochs: Int = 5
    @Option(help: "Maximum epochs per run; \(FNOExperimentPlan.Limits.epochs), at least --min-epochs.") var maxEpochs: Int = 700
    @Option(help: "Evaluations of the validation and test sets per run (the last epoch always); \(FNOExperimentPlan.Limits.evaluations).") var evaluations: Int = FNOExperimentPlan.defaultEvaluationsPerRun
    @Option(help: "Folder for the runs.") var runs: String = "runs/fno"
    @Option(help: "Folder for the table and figures.") var reports: String = "reports/fno"

    /// The experiment the options describe, checked (a bad value is a usage error).
    func plan() throws -> FNOExperimentPlan {
        let strides = try commaSeparated(reducedBatches, option: "reduced-batches") { Int($0) }
        let s = try sValues.map { try commaSeparated($0, option: "s-values") { Double($0) } } ?? strides.map { FNOExperimentPlan.referenceS(ratio: 1 / Double($0)) }
        var plan = FNOExperimentPlan(name: name, base: training.config(out: runs), reducedBatches: strides,
                                     seeds: try commaSeparated(seeds, option: "seeds") { UInt64($0) },
                                     learningRates: try commaSeparated(lrs, option: "lrs") { Float($0) }, sValues: s, targetSteps: targetSteps,
                                     minEpochs: minEpochs, maxEpochs: maxEpochs, runsFolder: runs)
        plan.evaluationsPerRun = evaluations
        try validated(Self.flagNames) { try plan.validate() }
        return plan
    }

    func validate() throws {
        _ = try plan()
        var inputs = CommandInputs()
        inputs.file(training.data)
        try inputs.check(folder: runs, option: "--runs", replaces: false)
        try inputs.check(folder: reports, option: "--reports", replaces: false)
        try inputs.check(folder: runs + "/" + name, option: "--runs", replaces: true)
    }

    func run() throws {
        let plan = try plan(), base = plan.base, strides = plan.reducedBatches
        let results = try FNOExperiment.run(plan) { Terminal.error($0) }
        let gnuplot = try? GnuplotLocator.find()
        let file = (base.data as NSString).lastPathComponent
        let title = "\(name): FNO on \(file), \(plan.seeds.count) seeds, lr grid \(lrs)"
        var written = try FNOExperimentReport.write(title: title, name: name, runs: results, to: reports, gnuplot: gnuplot)
        if let rb = strides.max(), let lr = plan.learningRates.first, let seed = plan.seeds.first {
            let log = "\(runs)/\(name)/tempbalance-rb\(rb)-lr\(lr)-s\(seed)/log.jsonl"
            written += try FNOExperimentReport.dynamics(log: log, title: "\(name) TempBalance rb \(rb) lr \(lr) seed \(seed)",
                                                        name: name + "-dynamics", to: reports, gnuplot: gnuplot)
        }
        print(FNOExperimentReport.markdown(title: title, cells: FNOExperiment.table(results)))
        print("wrote " + written.joined(separator: ", "))
    }
}
