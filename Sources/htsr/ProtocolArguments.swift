import ArgumentParser
import Experiments

/// The options of the experiment protocol, shared by `htsr experiment`, `htsr fno experiment` and `htsr finetune-experiment`.
struct ProtocolArguments: ParsableArguments {
    private typealias L = ProtocolPlan.Limits
    static let flagNames = FlagNames(overrides: ["learning_rates": "--lrs"])

    @Option(help: "A name for this experiment (run folders, report files).") var name: String
    @Option(help: "Seeds, comma-separated (each fixes the data subset and initialisation, shared by all arms): any 64-bit unsigned integers, \(L.seedCount) of them.")
    var seeds: String = "1,2,3,4,5,6"
    @Option(help: "The initial learning-rate grid (ascending, one ratio apart), each in \(L.lr); \(L.gridPoints) values.") var lrs: String
    @Option(help: "Grid steps added beyond each end of a grid while the choice sits on it (per arm and side); \(L.extensions).")
    var maxExtensions: Int = 3
    @Option(help: "TempBalance's scale sweep (the sigmoid's s), comma-separated, each in \(L.scale); \(L.gridPoints) values, or empty for none.")
    var scales: String = ""
    @Option(help: "Steps added beyond each end of the scale sweep while the choice sits on it; \(L.extensions).") var maxScaleExtensions: Int = 1
    @Option(help: "Grid searches on the first K seeds; all seeds at the chosen rates (default: all seeds everywhere); \(L.selectionSeeds), at most the number of --seeds.")
    var selectionSeeds: Int?
    @Option(help: "Runs at a time (one thread each); \(L.jobs).") var jobs: Int = 2
    @Option(help: "Folder for the runs.") var runs: String
    @Option(help: "Folder for the report.") var reports: String

    /// The plan for `cells`, checked.
    func plan(cells: [ProtocolCell]) throws -> ProtocolPlan {
        var p = ProtocolPlan(name: name, cells: cells, seeds: try commaSeparated(seeds, option: "seeds") { UInt64($0) },
                             learningRates: try commaSeparated(lrs, option: "lrs") { Double($0) }, runsFolder: runs)
        p.maxExtensions = maxExtensions
        p.scales = scales.isEmpty ? [] : try commaSeparated(scales, option: "scales") { Double($0) }
        p.maxScaleExtensions = maxScaleExtensions
        p.jobs = jobs
        p.selectionSeeds = selectionSeeds
        try validated(Self.flagNames) { try p.validate() }
        return p
    }

    /// Checks the output folders against `inputs` (files and folders the command reads): the runs go
    /// to RUNS/NAME/…, the report to REPORTS; neither may be or hold an input.
    func checkOutputs(_ inputs: CommandInputs) throws {
        try inputs.check(folder: runs, option: "--runs", replaces: false)
        try inputs.check(folder: reports, option: "--reports", replaces: false)
        try inputs.check(folder: runs + "/" + name, option: "--runs", replaces: true)
    }

    /// How the plan's grid searches use the seeds, for a report's set-up paragraph.
    static func selection(_ plan: ProtocolPlan) -> String {
        plan.selectionSeeds.map { "the learning-rate grids on seeds \(seedList(Array(plan.seeds.prefix($0)))), then every arm on all seeds at its chosen rate" }
            ?? "every grid point on every seed"
    }

    /// "1–8" for consecutive seeds, else the list.
    static func seedList(_ seeds: [UInt64]) -> String {
        let s = seeds.sorted()
        if s.count > 2, zip(s, s.dropFirst()).allSatisfy({ $1 == $0 + 1 }) { return "\(s.first!)–\(s.last!)" }
        return s.map(String.init).joined(separator: ", ")
    }
}
