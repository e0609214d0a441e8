import Checkpoint
import Dispatch
import Foundation
import Synchronization
import Settings
import Train

/// An experiment under the protocol: cells × arms × seeds, every hyperparameter chosen on the
/// validation split (`ProtocolAnalysis`), grids extended one step out while a choice sits on an
/// edge (at most `maxExtensions` steps per side), paired seeds, both controls.
public struct ProtocolPlan: Sendable {
    public var name: String
    public var cells: [ProtocolCell]
    /// At least 2 (the paired statistics need them); the experiments use 6 or more.
    public var seeds: [UInt64]
    /// The initial learning-rate grid of the baseline and of TempBalance at its reference scale
    /// (ascending, at least 3 values, one ratio apart: the neighbourhood grids use its first ratio).
    public var learningRates: [Double]
    public var maxExtensions = 3
    /// TempBalance's scale sweep (empty: the policy has no scale); each cell's reference scale is one of them.
    public var scales: [Double] = []
    public var maxScaleExtensions = 1
    /// Grid searches (learning rates, scales) run on the first `selectionSeeds` seeds only; every
    /// arm then runs all `seeds` at its chosen hyperparameters (nil: every seed everywhere). For
    /// tasks where a run is expensive: the choice rests on fewer seeds, the paired comparison on all.
    public var selectionSeeds: Int?
    /// Trials run at once (one thread each).
    public var jobs = 2
    /// Runs go to `<runsFolder>/<name>/<trial key>/`.
    public var runsFolder: String

    public init(name: String, cells: [ProtocolCell], seeds: [UInt64], learningRates: [Double], runsFolder: String) {
        self.name = name; self.cells = cells; self.seeds = seeds; self.learningRates = learningRates; self.runsFolder = runsFolder
    }

    /// Whether neighbouring values have one ratio (within 2 %), so a step out continues the grid.
    static func geometric(_ v: [Double]) -> Bool {
        let r = zip(v, v.dropFirst()).map { $1 / $0 }
        return r.allSatisfy { abs($0 / r[0] - 1) < 0.02 }
    }

    /// The seeds the grid searches run on.
    public var selectionSeedList: [UInt64] { Array(seeds.prefix(selectionSeeds ?? seeds.count)) }

    /// The grid's ratio (second value over the first).
    public var ratio: Double { learningRates[1] / learningRates[0] }

    /// The documented ranges of the protocol's options (`docs/cli.md`), checked by `validate()`;
    /// the tasks' grid options (sizes, steps, evaluations) share them.
    public enum Limits {
        /// Values in one comma-separated grid (seeds, learning rates, scales, sizes).
        public static let gridSize = SettingRange<Int>(1, 1000)
        /// Seeds: at least 2 (paired statistics).
        public static let seedCount = SettingRange<Int>(2, 1000)
        /// A grid's values: at least 3 (so a choice can be interior).
        public static let gridPoints = SettingRange<Int>(3, 1000)
        public static let lr = SettingRange<Double>.positive(upTo: 10)
        /// TempBalance's sigmoid scale s (positive here: the sweep is geometric).
        public static let scale = SettingRange<Double>.positive(upTo: 10)
        public static let extensions = SettingRange<Int>(0, 100)
        /// Seeds of the grid searches: at least 2, at most the number of seeds.
        public static let selectionSeeds = SettingRange<Int>(2, 1000)
        public static let jobs = SettingRange<Int>(1, 1024)
        /// Training-set sizes, optimizer steps and counts of a task.
        public static let count = SettingRange<Int>(1, 1_000_000_000)
        /// Evaluations per run (the learning curves' points).
        public static let evaluations = SettingRange<Int>(1, 1000)
    }

    /// - Throws: `InvalidSetting` naming the setting (`seeds`, `learning_rates`, `selection_seeds`, …);
    ///   `TrainError.invalidOption` for the cells, which the tasks build.
    public func validate() throws {
        func bad(_ m: String) -> TrainError { .invalidOption(m) }
        guard !cells.isEmpty else { throw bad("the experiment has no cells") }
        guard Set(cells.map(\.id)).count == cells.count else { throw bad("cell names must differ") }
        try Limits.seedCount.check(seeds.count, "seeds.count")
        try InvalidSetting.require(Set(seeds).count == seeds.count, "seeds", seeds.map(String.init).joined(separator: ","), "different seeds")
        let lrText = learningRates.map(formatSetting).joined(separator: ",")
        try Limits.gridPoints.check(learningRates.count, "learning_rates.count")
        try Limits.lr.check(each: learningRates, "learning_rates")
        try InvalidSetting.require(zip(learningRates, learningRates.dropFirst()).allSatisfy({ $0 < $1 }), "learning_rates", lrText, "increasing")
        try InvalidSetting.require(Self.geometric(learningRates), "learning_rates", lrText,
                                   "a geometric grid (one ratio between neighbours, e.g. 0.0025,0.005,0.01)")
        try Limits.selectionSeeds.check(selectionSeeds, "selection_seeds")
        if let k = selectionSeeds {
            try InvalidSetting.require(k <= seeds.count, "selection_seeds", k, "at most the number of seeds (\(seeds.count))", related: ["seeds"])
        }
        try Limits.extensions.check(maxExtensions, "max_extensions")
        try Limits.extensions.check(maxScaleExtensions, "max_scale_extensions")
        try Limits.jobs.check(jobs, "jobs")
        if !scales.isEmpty {
            let text = scales.map(formatSetting).joined(separator: ",")
            try Limits.gridPoints.check(scales.count, "scales.count")
            try Limits.scale.check(each: scales, "scales")
            try InvalidSetting.require(zip(scales, scales.dropFirst()).allSatisfy({ $0 < $1 }), "scales", text, "increasing")
            try InvalidSetting.require(Self.geometric(scales), "scales", text, "a geometric grid (e.g. 0.125,0.25,0.5,1)")
            for c in cells {
                guard let s = c.referenceScale, scales.contains(where: { Selection.same($0, s) }) else {
                    throw InvalidSetting(field: "scales", value: text, requirement: "a sweep containing the reference scale of \(c.label)")
                }
            }
        }
    }
}

/// Runs a plan on a task: finished trials (a `result.json` with the same trial) are read back,
/// the rest run `plan.jobs` at a time. The order of stages follows `ProtocolAnalysis`.
public final class ProtocolRunner<Task: ProtocolTask>: @unchecked Sendable {  // `results`, `firstError` only under `lock`
    public let plan: ProtocolPlan
    public let task: Task
    let progress: @Sendable (String) -> Void
    let lock = NSLock()
    var results: [Trial: TrialResult] = [:]
    var firstError: Error?

    public init(plan: ProtocolPlan, task: Task, progress: @escaping @Sendable (String) -> Void) {
        self.plan = plan
        self.task = task
        self.progress = progress
    }

    func folder(_ t: Trial) -> String { "\(plan.runsFolder)/\(plan.name)/\(t.key)" }

    /// Every trial the protocol needs, run or read back; returns all results.
    public func run() throws -> [TrialResult] {
        try plan.validate()
        for cell in plan.cells { try run(cell) }
        return results.values.sorted { $0.trial.key < $1.trial.key }
    }

    var all: [TrialResult] { lock.withLock { Array(results.values) } }
    var direction: Direction { task.direction }
    /// The seeds the grids are searched on.
    var n: [UInt64] { plan.selectionSeedList }

    /// A learning-rate search of one arm setting, from `initial`.
    struct Search {
        var arm: Arm
        var scale: Double?
        var g: Double?
        var initial: [Double]
        var values: [Double]
    }

    func run(_ cell: ProtocolCell) throws {
        // (1) The baseline and TempBalance at the reference scale.
        var searches = [Search(arm: .baseline, scale: nil, g: nil, initial: plan.learningRates, values: plan.learningRates),
                        Search(arm: .tempBalance, scale: cell.referenceScale, g: nil, initial: plan.learningRates, values: plan.learningRates)]
        try searchRates(&searches, cell: cell)
        // (2) The scale sweep at TempBalance's rate, and the rate again at a different best scale.
        var scale = cell.referenceScale
        var tbRate = ProtocolAnalysis.lrChoice(all, cell: cell.id, arm: .tempBalance, scale: scale, g: nil, seeds: n, direction: direction).value
        if let ref = cell.referenceScale, let lr = tbRate {
            var values = plan.scales
            while true {
                try ensure(values.flatMap { s in n.map { Trial(cell: cell.id, arm: .tempBalance, lr: lr, scale: s, seed: $0) } })
                let choice = ProtocolAnalysis.scaleChoice(all, cell: cell.id, lr: lr, seeds: n, direction: direction)
                guard let next = Selection.extensionValue(choice, initial: plan.scales, cap: plan.maxScaleExtensions) else { break }
                values.append(next)
            }
            let best = ProtocolAnalysis.scaleChoice(all, cell: cell.id, lr: lr, seeds: n, direction: direction).value
            if let s = best, !Selection.same(s, ref) {
                scale = s
                let around = Selection.neighbourhood(lr, ratio: plan.ratio)
                var again = [Search(arm: .tempBalance, scale: s, g: nil, initial: around, values: around)]
                try searchRates(&again, cell: cell)
                tbRate = ProtocolAnalysis.lrChoice(all, cell: cell.id, arm: .tempBalance, scale: s, g: nil, seeds: n, direction: direction).value
            }
        }
        // Every seed at the baseline's and TempBalance's choices (when the grids used fewer).
        try completeSeeds(cell, arm: .baseline, scale: nil, g: nil)
        try completeSeeds(cell, arm: .tempBalance, scale: scale, g: nil)
        // Their test split now (an experiment stopped during the controls still has baseline vs TempBalance).
        try deferredTests(cell)
        // (3) The controls at TempBalance's scale, around its rate.
        guard let lr = tbRate else {
            progress("\(plan.name) \(cell.label): TempBalance has no eligible learning rate (every rate diverged); no controls")
            try deferredTests(cell)
            return
        }
        let tbRuns = ProtocolAnalysis.runs(all, cell: cell.id, arm: .tempBalance, scale: scale, g: nil).filter { Selection.same($0.trial.lr, lr) }
        let around = Selection.neighbourhood(lr, ratio: plan.ratio)
        var controls = [Search(arm: .frozen, scale: scale, g: nil, initial: around, values: around)]
        if let g = Selection.uniformMultiplier(tbRuns) {
            controls.append(Search(arm: .uniform, scale: scale, g: g, initial: around, values: around))
        }
        try searchRates(&controls, cell: cell)
        for c in controls { try completeSeeds(cell, arm: c.arm, scale: c.scale, g: c.g) }
        try deferredTests(cell)
    }

    /// Runs every seed of the plan at an arm's chosen learning rate (a no-op when the grid already did).
    func completeSeeds(_ cell: ProtocolCell, arm: Arm, scale: Double?, g: Double?) throws {
        guard let lr = ProtocolAnalysis.lrChoice(all, cell: cell.id, arm: arm, scale: scale, g: g, seeds: n, direction: direction).value else { return }
        try ensure(plan.seeds.map { Trial(cell: cell.id, arm: arm, lr: lr, scale: scale, uniformMultiplier: g, seed: $0) })
    }

    /// For a task that defers the test split (`ProtocolTask.defersTest`): evaluates it for the
    /// runs each arm chose (as `ProtocolAnalysis` chooses them), and only those; the results are
    /// rewritten with their test metric. A rerun reads them back.
    func deferredTests(_ cell: ProtocolCell) throws {
        guard task.defersTest else { return }
        let outcome = ProtocolAnalysis.analyze(all.filter { $0.trial.cell == cell.id }, cell: cell, direction: direction)
        let todo = outcome.arms.flatMap(\.runs).filter { $0.test == nil && !$0.diverged }
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: min(plan.jobs, max(1, todo.count))) { _ in
            while let k = next.take(below: todo.count) {
                if lock.withLock({ firstError != nil }) { return }
                do {
                    var r = todo[k]
                    let dir = folder(r.trial)
                    let cpu0 = threadCPUSeconds(), wall0 = DispatchTime.now().uptimeNanoseconds
                    r.test = try task.test(r.trial, folder: dir)
                    r.extra["test_cpu_seconds"] = threadCPUSeconds() - cpu0
                    r.extra["test_seconds"] = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e9
                    try AtomicFile.write(try JSONValueEncoder().encode(r).text(), to: dir + "/result.json")
                    progress(String(format: "%@ %@: test %@ (%.0f s)", plan.name, r.trial.key, r.test.map { String(format: "%.4f", $0) } ?? "–", r.extra["test_seconds"] ?? 0))
                    lock.withLock { results[r.trial] = r }
                } catch {
                    lock.withLock { if firstError == nil { firstError = error } }
                }
            }
        }
        if let e = firstError { throw e }
    }

    /// Runs every search's grid, extends the grids whose choice sits on an edge, until none does (or the caps).
    func searchRates(_ searches: inout [Search], cell: ProtocolCell) throws {
        while true {
            try ensure(searches.flatMap { s in
                s.values.flatMap { lr in n.map { Trial(cell: cell.id, arm: s.arm, lr: lr, scale: s.scale, uniformMultiplier: s.g, seed: $0) } }
            })
            var extended = false
            for k in searches.indices {
                let s = searches[k]
                let choice = ProtocolAnalysis.lrChoice(all, cell: cell.id, arm: s.arm, scale: s.scale, g: s.g, seeds: n, direction: direction)
                if let next = Selection.extensionValue(choice, initial: s.initial, cap: plan.maxExtensions) {
                    searches[k].values.append(next)
                    extended = true
                }
            }
            if !extended { return }
        }
    }

    /// Reads back or runs the trials not known yet, `plan.jobs` at a time.
    func ensure(_ trials: [Trial]) throws {
        var todo: [Trial] = []
        for t in trials where lock.withLock({ results[t] == nil }) && !todo.contains(t) {
            if let r = Self.stored(folder(t), trial: t, fingerprint: try task.fingerprint(t)) { lock.withLock { results[t] = r } } else { todo.append(t) }
        }
        guard !todo.isEmpty else { return }
        let next = Counter(), pending = todo
        DispatchQueue.concurrentPerform(iterations: min(plan.jobs, todo.count)) { _ in
            while let k = next.take(below: pending.count) {
                if lock.withLock({ firstError != nil }) { return }
                do {
                    let r = try runOne(pending[k])
                    lock.withLock { results[pending[k]] = r }
                } catch {
                    lock.withLock { if firstError == nil { firstError = error } }
                }
            }
        }
        if let e = firstError { throw e }
    }

    /// Runs one trial, timing it, and stores its result.
    func runOne(_ t: Trial) throws -> TrialResult {
        let dir = folder(t)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cpu0 = threadCPUSeconds(), wall0 = DispatchTime.now().uptimeNanoseconds
        var r = try task.run(t, folder: dir)
        r.trial = t
        r.fingerprint = try task.fingerprint(t)
        r.cpuSeconds = threadCPUSeconds() - cpu0
        r.seconds = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e9
        try AtomicFile.write(try JSONValueEncoder().encode(r).text(), to: dir + "/result.json")
        progress(String(format: "%@ %@: validation %@, test %@ (%.0f s, %.0f CPU s)%@", plan.name, t.key,
                        r.validation.map { String(format: "%.4f", $0) } ?? "–", r.test.map { String(format: "%.4f", $0) } ?? "–",
                        r.seconds, r.cpuSeconds, r.diverged ? " DIVERGED" : ""))
        return r
    }

    /// The finished trials of the plan's cells found in its runs folder with the task's current
    /// options (same fingerprint), without running anything: a report of an experiment still in
    /// progress or stopped (its cells may lack arms or seeds; the analysis reports what is there).
    public func finishedResults() throws -> [TrialResult] {
        let root = "\(plan.runsFolder)/\(plan.name)"
        let cells = Set(plan.cells.map(\.id))
        var out: [TrialResult] = []
        for dir in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            guard let data = FileManager.default.contents(atPath: "\(root)/\(dir)/result.json"),
                  let json = try? JSONParser.parse([UInt8](data)),
                  let r = try? JSONValueDecoder().decode(TrialResult.self, from: json),
                  cells.contains(r.trial.cell), r.trial.key == dir, r.fingerprint == (try task.fingerprint(r.trial)) else { continue }
            out.append(r)
        }
        return out
    }

    /// A finished trial's result, if its folder has one for exactly this trial and these options.
    static func stored(_ folder: String, trial: Trial, fingerprint: String) -> TrialResult? {
        guard let data = FileManager.default.contents(atPath: folder + "/result.json"),
              let json = try? JSONParser.parse([UInt8](data)),
              let r = try? JSONValueDecoder().decode(TrialResult.self, from: json), r.trial == trial, r.fingerprint == fingerprint else { return nil }
        return r
    }
}

/// Hands out 0, 1, 2, … to the worker threads.
final class Counter: Sendable {
    private let value = Mutex(0)
    func take(below n: Int) -> Int? {
        value.withLock { value in
            guard value < n else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
