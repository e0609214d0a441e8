import ArgumentParser
import Experiments

/// The options of the experiment protocol, shared by `htsr experiment` and `htsr fno experiment`.
struct ProtocolArguments: ParsableArguments {
    @Option(help: "A name for this experiment (run folders, report files).") var name: String
    @Option(help: "Seeds, comma-separated (each fixes the data subset and initialisation, shared by all arms).") var seeds: String = "1,2,3,4,5,6"
    @Option(help: "The initial learning-rate grid (ascending, one ratio apart, at least 3).") var lrs: String
    @Option(help: "Grid steps added beyond each end of a grid while the choice sits on it (per arm and side).") var maxExtensions: Int = 3
    @Option(help: "TempBalance's scale sweep (the sigmoid's s), comma-separated; empty for none.") var scales: String = ""
    @Option(help: "Steps added beyond each end of the scale sweep while the choice sits on it.") var maxScaleExtensions: Int = 1
    @Option(help: "Runs at a time (one thread each).") var jobs: Int = 2
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
        try validated(p.validate)
        return p
    }

    /// "1–8" for consecutive seeds, else the list.
    static func seedList(_ seeds: [UInt64]) -> String {
        let s = seeds.sorted()
        if s.count > 2, zip(s, s.dropFirst()).allSatisfy({ $1 == $0 + 1 }) { return "\(s.first!)–\(s.last!)" }
        return s.map(String.init).joined(separator: ", ")
    }
}
