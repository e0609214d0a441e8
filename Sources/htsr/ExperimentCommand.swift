import ArgumentParser
import Experiments
import Foundation
import Plot
import Settings
import Train

struct ExperimentCommand: ParsableCommand, NamesSettings {
    static let flagNames = TrainArguments.flagNames.merging(ProtocolArguments.flagNames)

    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "MLP baseline vs TempBalance and its two controls under the experiment protocol.",
        discussion: """
        Per training-set size (--sizes, examples per class): the baseline's and TempBalance's learning rates are chosen
        on the validation split (--validation-per-class, held out of the pool), each grid extended one step out while the
        choice sits on an edge; then TempBalance's scale sweep (--scales, sigmoid only); then the controls (multipliers
        frozen at their first values; a uniform rate, the geometric mean of TempBalance's time-averaged multipliers, on
        the layers it balances), each with its own learning rate chosen the same way. Paired seeds. Finished runs are
        read back. Writes REPORTS/NAME.{md,csv}, NAME-curves.dat, NAME-paired.dat and, with gnuplot, the PNGs.
        """)

    @OptionGroup var training: TrainArguments
    @OptionGroup var protocolOptions: ProtocolArguments

    private typealias L = ProtocolPlan.Limits
    @Option(help: "Training-set sizes: examples per class, comma-separated, each in \(L.count); at most \(L.gridSize.upper) values.")
    var sizes: String = "4,8"
    @Option(help: "Evaluations of the validation and test splits per run (the learning curves' points); \(L.evaluations).")
    var evaluations: Int = 10
    @Option(help: "Minimum optimizer steps per run; \(L.count).") var minSteps: Int = 500
    @Option(help: "Maximum optimizer steps per run; \(L.count), at least --min-steps.") var maxSteps: Int = 6000
    @Option(name: .customLong("init"), help: ArgumentHelp("Fine-tune every run from this checkpoint.", valueName: "CHECKPOINT"))
    var initCheckpoint: String?

    func base() throws -> TrainConfig {
        var c = try training.config(out: protocolOptions.runs)
        c.initCheckpoint = initCheckpoint
        try validated(Self.flagNames) {
            try InvalidSetting.require(c.validationPerClass > 0, "validation_per_class", c.validationPerClass,
                                       "at least 1: the protocol chooses on a validation split")
            try L.count.check(minSteps, "min_steps")
            try L.count.check(maxSteps, "max_steps")
            try InvalidSetting.require(maxSteps >= minSteps, "max_steps", maxSteps, "at least min_steps (\(minSteps))", related: ["min_steps"])
            try L.evaluations.check(evaluations, "evaluations")
        }
        return c
    }

    func sizeList() throws -> [Int] {
        let k = try commaSeparated(sizes, option: "sizes") { Int($0) }
        try validated(Self.flagNames) {
            try L.gridSize.check(k.count, "sizes.count")
            try L.count.check(each: k, "sizes")
            try InvalidSetting.require(Set(k).count == k.count, "sizes", sizes, "different counts")
        }
        return k
    }

    func validate() throws {
        let base = try base()
        _ = try protocolOptions.plan(cells: MLPTask.cells(perClass: try sizeList(), classes: 10))
        var inputs = CommandInputs()
        inputs.file(base.initCheckpoint)
        inputs.folder(base.dataDir)
        try protocolOptions.checkOutputs(inputs)
    }

    func run() throws {
        let base = try base()
        let dataset = try base.data.load(folder: base.dataDir)
        let sizes = try sizeList()
        let cells = MLPTask.cells(perClass: sizes, classes: dataset.classes)
        let plan = try protocolOptions.plan(cells: cells)
        var task = MLPTask(base: base, dataset: dataset, perClass: Dictionary(uniqueKeysWithValues: zip(cells.map(\.id), sizes)),
                           minSteps: minSteps, maxSteps: maxSteps)
        task.logsPerRun = evaluations
        let results = try ProtocolRunner(plan: plan, task: task) { Terminal.error($0) }.run()
        let name = protocolOptions.name
        let title = "\(name): \(base.data.rawValue), MLP \(base.hidden.map(String.init).joined(separator: "-")), \(plan.seeds.count) paired seeds"
        let written = try ProtocolReport.write(title: title, setup: setup(base, plan: plan, dataset: dataset), name: name, cells: cells,
                                               results: results, direction: task.direction, metric: .accuracy, to: protocolOptions.reports,
                                               gnuplot: try? GnuplotLocator.find())
        print(try String(contentsOfFile: written[0], encoding: .utf8))
        print("wrote " + written.joined(separator: ", "))
    }

    func setup(_ c: TrainConfig, plan: ProtocolPlan, dataset: Dataset) -> String {
        let o = c.policyOptions
        let policy = o.scheme == .linear
            ? String(format: "tb_linear_map (NeurIPS 2023 TempBalance): multipliers interp(α, [min α, max α], [%g, %g])", o.lrMinRatio, o.lrMaxRatio)
            : String(format: "sigmoid (Model Balancing): s_min = s_max = s, τ = %g", o.tau)
        let trainer = try? Trainer(config: { var x = c; x.perClass = 1; x.seed = 1; return x }(), dataset: dataset)
        return """
        MLP \(dataset.inputs)-\(c.hidden.map(String.init).joined(separator: "-"))-\(dataset.classes) (\(c.activation.rawValue)), \(c.optimizer.kind.rawValue)\(c.optimizer.kind == .sgd ? String(format: " momentum %g", c.optimizer.momentum) : ""), weight decay \(String(format: "%g", c.optimizer.weightDecay)) (weights only), batch \(c.batchSize), \(c.schedule.rawValue) schedule; steps per run: \(c.epochs) epochs clamped to [\(minSteps), \(maxSteps)]\(c.initCheckpoint.map { ", fine-tuned from `\(($0 as NSString).lastPathComponent)`" } ?? ""). TempBalance: \(policy), \(o.unit.rawValue)-wise, \(o.metric) (xmin_pos \(String(format: "%g", c.xminPos))), recomputed \(c.balanceEvery == .epoch ? "once per epoch" : "every \(c.balanceEvery) steps"), balanced layers \(trainer?.balancedLayers.joined(separator: ", ") ?? "?") (the first and last layer and layers with fewer than \(o.minEvals) eigenvalues excluded). Data: \(c.data.rawValue); validation = the last \(c.validationPerClass) examples of each class of the training pool (\(c.validationPerClass * dataset.classes) images, fixed); the training subsets are drawn per class from the rest by the seed; the test split is fixed (\(dataset.testCount) images). Seeds \(ProtocolArguments.seedList(plan.seeds)): data subset, initialisation and example order, the same for every arm; \(ProtocolArguments.selection(plan)). Metric: final accuracy; hyperparameters chosen on the mean validation accuracy, test accuracy reported.
        """
    }
}
