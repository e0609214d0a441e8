import ArgumentParser
import Experiments
import FNO
import Foundation
import Plot
import Settings
import Train

struct FNOExperimentCommand: ParsableCommand, NamesSettings {
    static let flagNames = FNOArguments.flagNames.merging(ProtocolArguments.flagNames)

    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "FNO baseline vs TempBalance and its two controls under the experiment protocol.",
        discussion: """
        Per training-set size (--train-samples; each seed draws its own subset, the same for every arm): the baseline's
        and TempBalance's learning rates are chosen on the validation set (--validation-samples, the last of the file),
        each grid extended one step out while the choice sits on an edge; then TempBalance's scale sweep (--scales) at its
        rate, starting from the paper's s for that sample count; then the controls (multipliers frozen at their first
        values; a uniform rate, the geometric mean of TempBalance's time-averaged multipliers, on the layers it balances),
        each with its own rate chosen the same way. --epochs, --step-size and --gamma are the run's (StepLR per epoch).
        Finished runs are read back. Writes REPORTS/NAME.{md,csv}, NAME-curves.dat, NAME-paired.dat, and with gnuplot
        their PNGs and NAME-dynamics-{alpha,lr}.png (one TempBalance run).
        """)

    @OptionGroup var training: FNOArguments
    @OptionGroup var protocolOptions: ProtocolArguments
    private typealias L = ProtocolPlan.Limits
    @Option(help: "Training-set sizes, comma-separated (each must divide the pool), each in \(L.count); at most \(L.gridSize.upper) values.")
    var trainSamples: String = "50"
    @Option(help: "TempBalance's reference scale per size, comma-separated, each in \(L.scale) (default: the paper's s for the nearest sample count).")
    var referenceScales: String?
    @Option(help: "Evaluations of the validation and test sets per run (the learning curves' points; the last epoch always); \(L.evaluations).")
    var evaluations: Int = 10

    func cells() throws -> [ProtocolCell] {
        let sizes = try commaSeparated(trainSamples, option: "train-samples") { Int($0) }
        let refs = try referenceScales.map { try commaSeparated($0, option: "reference-scales") { Double($0) } }
        try validated(Self.flagNames) {
            try L.gridSize.check(sizes.count, "train_samples.count")
            try L.count.check(each: sizes, "train_samples")
            try InvalidSetting.require(Set(sizes).count == sizes.count, "train_samples", trainSamples, "different counts")
            if let r = refs {
                try L.scale.check(each: r, "reference_scales")
                try InvalidSetting.require(r.count == sizes.count, "reference_scales", referenceScales ?? "",
                                           "one value per train_samples size (\(sizes.count))", related: ["train_samples"])
            }
        }
        let withScale = !protocolOptions.scales.isEmpty
        return FNOTask.cells(trainSamples: sizes) { n in withScale ? (refs?[sizes.firstIndex(of: n)!] ?? FNOTask.referenceScale(samples: n)) : nil }
    }

    func base() throws -> FNOTrainConfig {
        var c = training.config(out: protocolOptions.runs)
        try validated(Self.flagNames) {
            try InvalidSetting.require(c.validationSamples > 0, "validation_samples", c.validationSamples,
                                       "at least 1: the protocol chooses on a validation set")
            try L.evaluations.check(evaluations, "evaluations")
            c.evalEvery = max(1, c.epochs / evaluations)
            try c.validate()
        }
        return c
    }

    func validate() throws {
        _ = try base()
        _ = try protocolOptions.plan(cells: try cells())
        var inputs = CommandInputs()
        inputs.file(training.data)
        try protocolOptions.checkOutputs(inputs)
    }

    func run() throws {
        let base = try base(), cells = try cells()
        let plan = try protocolOptions.plan(cells: cells)
        let task = try FNOTask(base: base, trainSamples: Dictionary(uniqueKeysWithValues: cells.map { ($0.id, $0.trainSamples) }))
        let runner = ProtocolRunner(plan: plan, task: task) { Terminal.error($0) }
        let results = try runner.run()
        let name = protocolOptions.name, file = (base.data as NSString).lastPathComponent
        let title = "\(name): FNO on \(file), \(plan.seeds.count) paired seeds"
        let gnuplot = try? GnuplotLocator.find()
        var written = try ProtocolReport.write(title: title, setup: setup(base, plan: plan, pool: task.pool), name: name, cells: cells,
                                               results: results, direction: task.direction, metric: .nrmse, to: protocolOptions.reports,
                                               gnuplot: gnuplot)
        let outcomes = ProtocolAnalysis.analyze(results, cells: cells, direction: task.direction)
        if let first = outcomes.first?.arm(.tempBalance)?.runs.first {
            written += try TrainingDynamics.write(log: "\(plan.runsFolder)/\(name)/\(first.trial.key)/log.jsonl",
                                                  title: "\(name) TempBalance \(first.trial.key)", name: name + "-dynamics",
                                                  to: protocolOptions.reports, gnuplot: gnuplot)
        }
        print(try String(contentsOfFile: written[0], encoding: .utf8))
        print("wrote " + written.joined(separator: ", "))
    }

    func setup(_ c: FNOTrainConfig, plan: ProtocolPlan, pool: Int) -> String {
        let b = c.balance
        return """
        FNO (PDEBench's FNO\(c.padding == 0 ? "1d" : "2d")): width \(c.width), modes \(c.modes), \(c.layers) Fourier layers; Adam, L2 \(String(format: "%g", c.weightDecay)) on every tensor, batch \(c.batchSize), \(c.epochs) epochs, StepLR(\(c.stepSize), \(String(format: "%g", c.gamma))) per epoch; \(c.initialStep.map { "initial_step \($0), " } ?? "")\(c.tTrain.map { "t_train \($0), " } ?? "")\(c.darcyScale != 1 ? String(format: "Darcy solution ×%g, ", c.darcyScale) : "")evaluated every \(c.evalEvery ?? 1) epochs. Split: test = the first \(c.testSamples.map(String.init) ?? "10 %") samples of the file, validation = the last \(c.validationSamples), pool = the \(pool) between; a training set of N samples is the pool strided by \(pool)/N from offset seed mod (\(pool)/N), so the seeds draw disjoint subsets. TempBalance: layer-wise sigmoid (s_min = s_max = s, τ = \(String(format: "%g", b.policy.tau))), Hill α (xmin_pos \(String(format: "%g", b.xminPos))\(b.filterZeros ? ", eigenvalues ≤ 1e-5 dropped" : "")) of fc0, w0…w3, fc1\(b.includeSpectral ? " and the spectral layers conv0…conv3 (pooled per-mode ESDs)" : "") (layers with more than \(b.policy.minEvals - 1) eigenvalues), recomputed once per epoch; the paper's s for the sample count first, then the sweep \(plan.scales.map(Trial.number).joined(separator: ", ")). Seeds \(ProtocolArguments.seedList(plan.seeds)): data subset, initialisation and batch order, the same for every arm; \(ProtocolArguments.selection(plan)). Metric: final nRMSE; hyperparameters chosen on the mean validation nRMSE, test nRMSE reported.
        """
    }
}
