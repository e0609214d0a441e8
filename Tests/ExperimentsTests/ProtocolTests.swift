import Foundation
import Settings
import Testing
import Train
@testable import Experiments

/// A task whose validation metric is a known function of the hyperparameters, so the protocol's
/// choices can be checked: lower is better; the error is a parabola in log₂ of the rate around
/// an arm's optimum (and, for TempBalance, in log₂ s around `bestScale`), plus a small per-seed
/// offset shared by the arms (the pairing). Rates above `divergeAbove` diverge.
final class FakeTask: ProtocolTask, @unchecked Sendable {
    // @unchecked: `calls` is only touched under `lock`.
    let optimum: [Arm: Double]
    let bestScale: Double
    let divergeAbove: Double
    let tag: String
    let lock = NSLock()
    var calls: [Trial] = []

    init(optimum: [Arm: Double], bestScale: Double = 1, divergeAbove: Double = .infinity, tag: String = "v1") {
        self.optimum = optimum; self.bestScale = bestScale; self.divergeAbove = divergeAbove; self.tag = tag
    }

    var direction: Direction { .lower }
    func fingerprint(_ trial: Trial) throws -> String { tag }

    /// The metric without noise.
    func error(_ t: Trial) -> Double {
        let x = log2(t.lr / optimum[t.arm]!)
        var e = 0.1 + 0.01 * x * x
        if let s = t.scale { e += 0.005 * pow(log2(s / bestScale), 2) }
        return e
    }

    func run(_ t: Trial, folder: String) throws -> TrialResult {
        lock.withLock { calls.append(t) }
        if t.lr > divergeAbove { return TrialResult(trial: t, validation: nil, test: nil, diverged: true, trainSamples: 10, steps: 3) }
        let noise = 0.001 * Double(t.seed % 5)
        var r = TrialResult(trial: t, validation: error(t) + noise, test: error(t) + noise + 0.0005 * Double(t.seed % 3),
                            diverged: false, trainSamples: 10, steps: 100)
        if t.arm == .tempBalance || t.arm == .frozen {
            r.multipliers = [LayerMultiplier(layer: "a", multiplier: 0.25), LayerMultiplier(layer: "b", multiplier: 1)]
            r.nearBound = 30
            r.boundSteps = 200
        }
        r.curve = [CurvePoint(step: 50, validation: r.validation! + 0.1, test: r.test! + 0.1), CurvePoint(step: 100, validation: r.validation, test: r.test)]
        return r
    }
}

/// FakeTask with its test metric evaluated later, only for the chosen runs (like FinetuneTask).
final class DeferredFakeTask: ProtocolTask, @unchecked Sendable {
    // @unchecked: `tested` is only touched under `lock`.
    let inner: FakeTask
    let lock = NSLock()
    var tested: [Trial] = []
    init(_ inner: FakeTask) { self.inner = inner }
    var direction: Direction { inner.direction }
    var defersTest: Bool { true }
    func fingerprint(_ trial: Trial) throws -> String { try inner.fingerprint(trial) }
    func run(_ t: Trial, folder: String) throws -> TrialResult {
        var r = try inner.run(t, folder: folder)
        r.test = nil
        return r
    }
    func test(_ t: Trial, folder: String) throws -> Double? {
        lock.withLock { tested.append(t) }
        return try inner.run(t, folder: folder).test
    }
}

@Suite struct ProtocolTests {
    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("htsr-protocol-\(UUID().uuidString)").path
    }

    static func plan(_ runs: String, scales: [Double] = [], reference: Double? = nil) -> ProtocolPlan {
        var p = ProtocolPlan(name: "fake", cells: [ProtocolCell(id: "n10", label: "10 samples", trainSamples: 10, referenceScale: reference)],
                             seeds: [1, 2, 3, 4, 5, 6], learningRates: [0.0025, 0.005, 0.01], runsFolder: runs)
        p.scales = scales
        return p
    }

    /// The baseline's optimum lies two steps above the grid: the grid grows to 0.02, 0.04 and one
    /// step beyond, so the choice is interior; the controls search around TempBalance's rate; the
    /// uniform control's G is the geometric mean of TempBalance's multipliers (0.25 and 1 → 0.5).
    @Test func extendsGridsAndRunsControls() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let task = FakeTask(optimum: [.baseline: 0.04, .tempBalance: 0.005, .frozen: 0.0025, .uniform: 0.02])
        let results = try ProtocolRunner(plan: Self.plan(runs), task: task) { _ in }.run()
        let o = ProtocolAnalysis.analyze(results, cells: Self.plan(runs).cells, direction: .lower)[0]
        let base = try #require(o.arm(.baseline)), tb = try #require(o.arm(.tempBalance))
        #expect(base.grid.points.map(\.value) == [0.0025, 0.005, 0.01, 0.02, 0.04, 0.08])
        #expect(base.lr == 0.04 && base.grid.edge == .interior)
        #expect(tb.lr == 0.005 && tb.grid.points.map(\.value) == [0.0025, 0.005, 0.01])
        let frozen = try #require(o.arm(.frozen)), uniform = try #require(o.arm(.uniform))
        #expect(frozen.grid.points.map(\.value) == [0.00125, 0.0025, 0.005, 0.01] && frozen.lr == 0.0025 && frozen.grid.edge == .interior)
        #expect(uniform.uniformMultiplier == 0.5 && uniform.lr == 0.02 && uniform.grid.edge == .interior)
        #expect(results.filter { $0.trial.arm == .uniform }.allSatisfy { $0.trial.uniformMultiplier == 0.5 })
        #expect(tb.nearBoundShare == 0.15 && base.nearBoundShare == nil)
        // Every arm has all six seeds; paired differences are exact (the noise is shared): TB − baseline = 0.
        #expect(o.arms.allSatisfy { $0.runs.map(\.trial.seed) == [1, 2, 3, 4, 5, 6] })
        let d = try #require(tb.vsBaseline)
        #expect(abs(d.mean) < 1e-12 && d.verdict == .indistinguishable)
        // A second runner reads every result back and trains nothing.
        let again = FakeTask(optimum: task.optimum)
        _ = try ProtocolRunner(plan: Self.plan(runs), task: again) { _ in }.run()
        #expect(again.calls.isEmpty)
        // Other options (another fingerprint): everything runs again.
        let changed = FakeTask(optimum: task.optimum, tag: "v2")
        _ = try ProtocolRunner(plan: Self.plan(runs), task: changed) { _ in }.run()
        #expect(changed.calls.count == task.calls.count)
    }

    /// With the cap reached the choice stays on the edge, and the report says so.
    @Test func capLeavesTheChoiceOnTheEdge() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        var plan = Self.plan(runs)
        plan.maxExtensions = 1
        let task = FakeTask(optimum: [.baseline: 1, .tempBalance: 0.005, .frozen: 0.005, .uniform: 0.005])
        let results = try ProtocolRunner(plan: plan, task: task) { _ in }.run()
        let o = ProtocolAnalysis.analyze(results, cells: plan.cells, direction: .lower)[0]
        #expect(o.arm(.baseline)?.grid.points.map(\.value) == [0.0025, 0.005, 0.01, 0.02])
        #expect(o.arm(.baseline)?.grid.edge == .upperEdge)
        let md = ProtocolReport.markdown(title: "t", setup: "s", outcomes: [o], metric: .nrmse)
        #expect(md.contains("10 samples, baseline: the chosen learning rate is on the upper edge of its grid"))
    }

    /// A diverged rate is not eligible but is part of the grid: the best rate below it is interior.
    @Test func divergedRatesAreIneligible() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let task = FakeTask(optimum: [.baseline: 0.04, .tempBalance: 0.005, .frozen: 0.005, .uniform: 0.005], divergeAbove: 0.015)
        let results = try ProtocolRunner(plan: Self.plan(runs), task: task) { _ in }.run()
        let base = try #require(ProtocolAnalysis.analyze(results, cells: Self.plan(runs).cells, direction: .lower)[0].arm(.baseline))
        #expect(base.grid.points.map(\.value) == [0.0025, 0.005, 0.01, 0.02])
        #expect(base.grid.points.map(\.eligible) == [true, true, true, false])
        #expect(base.lr == 0.01 && base.grid.edge == .interior)
    }

    /// The scale sweep runs at TempBalance's rate for the reference s; a better s elsewhere (0.25)
    /// is chosen, the sweep extended below when 0.125 wins, and the rate searched again around it.
    @Test func scaleSweep() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let plan = Self.plan(runs, scales: [0.125, 0.25, 0.5, 1], reference: 1)
        let task = FakeTask(optimum: [.baseline: 0.005, .tempBalance: 0.005, .frozen: 0.005, .uniform: 0.005], bestScale: 0.25)
        let results = try ProtocolRunner(plan: plan, task: task) { _ in }.run()
        let o = ProtocolAnalysis.analyze(results, cells: plan.cells, direction: .lower)[0]
        #expect(o.scaleSweepLR == 0.005 && o.scaleGrid?.value == 0.25 && o.scaleGrid?.edge == .interior)
        #expect(o.scaleSweep.map(\.scale) == [0.125, 0.25, 0.5, 1])
        #expect(o.arm(.tempBalance)?.scale == 0.25 && o.arm(.frozen)?.scale == 0.25 && o.arm(.uniform)?.scale == 0.25)
        #expect(o.arm(.tempBalance)?.grid.points.map(\.value) == [0.0025, 0.005, 0.01])
        // The best s below the sweep: one step out (cap 1), then on the edge.
        let low = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: low) }
        let lowTask = FakeTask(optimum: task.optimum, bestScale: 0.01)
        let lowResults = try ProtocolRunner(plan: Self.plan(low, scales: [0.125, 0.25, 0.5, 1], reference: 1), task: lowTask) { _ in }.run()
        let lo = ProtocolAnalysis.analyze(lowResults, cells: plan.cells, direction: .lower)[0]
        #expect(lo.scaleGrid?.points.map(\.value) == [0.0625, 0.125, 0.25, 0.5, 1] && lo.scaleGrid?.edge == .lowerEdge)
    }

    /// The CSV of runs reads back exactly and regenerates the same page.
    @Test func csvRoundTrip() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let plan = Self.plan(runs, scales: [0.25, 0.5, 1], reference: 1)
        let task = FakeTask(optimum: [.baseline: 0.01, .tempBalance: 0.005, .frozen: 0.005, .uniform: 0.005], bestScale: 0.5)
        let results = try ProtocolRunner(plan: plan, task: task) { _ in }.run()
        let csv = ProtocolReport.csv(results, cells: plan.cells)
        let back = try ProtocolReport.read(csv: csv, file: "x.csv")
        #expect(back.cells == plan.cells && ProtocolReport.csv(back.results, cells: back.cells) == csv)
        let page = { (r: [TrialResult], c: [ProtocolCell]) in
            ProtocolReport.markdown(title: "t", setup: "s", outcomes: ProtocolAnalysis.analyze(r, cells: c, direction: .lower), metric: .nrmse)
        }
        #expect(page(results, plan.cells) == page(back.results, back.cells))
        // Cells keep the plan's order through the CSV (n60 before n120, not sorted as text).
        let two = [ProtocolCell(id: "n60", label: "60 samples", trainSamples: 60), ProtocolCell(id: "n120", label: "120 samples", trainSamples: 120)]
        let renamed = results.flatMap { r in two.map { c in var x = r; x.trial.cell = c.id; return x } }
        #expect(try ProtocolReport.read(csv: ProtocolReport.csv(renamed, cells: two), file: "y.csv").cells == two)
        for (text, message) in [("cell\n", "x.csv: line 1: the header is not"),
                                (csv.replacingOccurrences(of: ",tempbalance,", with: ",magic,"), "is not a valid arm")] {
            #expect(throws: TrainError.self) { _ = try ProtocolReport.read(csv: text, file: "x.csv") }
            do { _ = try ProtocolReport.read(csv: text, file: "x.csv") } catch { #expect("\(error)".contains(message), "\(error)") }
        }
    }

    /// With selection seeds the grids run on the first seeds only, every arm then runs all seeds at
    /// its choice (the analysis finds the same choices from the runs alone); a task that defers its
    /// test split gets it evaluated for exactly the chosen runs, once.
    @Test func selectionSeedsAndDeferredTests() throws {
        let runs = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        var plan = Self.plan(runs)
        plan.selectionSeeds = 2
        let task = DeferredFakeTask(FakeTask(optimum: [.baseline: 0.02, .tempBalance: 0.005, .frozen: 0.0025, .uniform: 0.005]))
        let results = try ProtocolRunner(plan: plan, task: task) { _ in }.run()
        #expect(ProtocolAnalysis.selectionSeeds(results, cell: "n10") == [1, 2])
        let o = ProtocolAnalysis.analyze(results, cells: plan.cells, direction: .lower)[0]
        #expect(o.seeds == [1, 2, 3, 4, 5, 6])
        let base = try #require(o.arm(.baseline))
        #expect(base.grid.points.map(\.value) == [0.0025, 0.005, 0.01, 0.02, 0.04] && base.lr == 0.02 && base.grid.edge == .interior)
        #expect(o.arm(.tempBalance)?.lr == 0.005 && o.arm(.frozen)?.lr == 0.0025 && o.arm(.uniform)?.lr == 0.005)
        for a in o.arms {
            #expect(a.runs.map(\.trial.seed) == [1, 2, 3, 4, 5, 6] && a.runs.allSatisfy { $0.test != nil }, "\(a.arm)")
            // Other rates ran on the two selection seeds only, without a test evaluation.
            let others = results.filter { $0.trial.arm == a.arm && !Selection.same($0.trial.lr, a.lr!) }
            #expect(!others.isEmpty && others.allSatisfy { $0.trial.seed <= 2 && $0.test == nil })
        }
        #expect(Set(task.tested) == Set(o.arms.flatMap(\.runs).map(\.trial)) && task.tested.count == 24)
        #expect(o.arms.flatMap(\.runs).allSatisfy { $0.extra["test_seconds"] != nil })
        #expect(o.arm(.tempBalance)?.vsBaseline != nil && o.tempBalanceVsUniform != nil)
        // A second runner reads everything back, tests included.
        let again = DeferredFakeTask(FakeTask(optimum: task.inner.optimum))
        _ = try ProtocolRunner(plan: plan, task: again) { _ in }.run()
        #expect(again.inner.calls.isEmpty && again.tested.isEmpty)
        // The runs folder alone gives the same results (a report of an experiment in progress).
        let found = try ProtocolRunner(plan: plan, task: again) { _ in }.finishedResults()
        #expect(found.map(\.trial.key) == results.map(\.trial.key) && found.map(\.test) == results.map(\.test))
        #expect(try ProtocolRunner(plan: plan, task: DeferredFakeTask(FakeTask(optimum: task.inner.optimum, tag: "v2"))) { _ in }
            .finishedResults().isEmpty)
        var tooMany = plan
        tooMany.selectionSeeds = 7
        #expect { try tooMany.validate() } throws: { ($0 as? InvalidSetting)?.field == "selection_seeds" }
    }

    @Test func planIsValidated() {
        // Each change and the setting its error names (in the library's terms: the CLI maps them to flags).
        let bad: [((ProtocolPlan) -> ProtocolPlan, String)] = [
            ({ var p = $0; p.seeds = [1]; return p }, "seeds.count"),
            ({ var p = $0; p.seeds = [1, 1]; return p }, "seeds"),
            ({ var p = $0; p.learningRates = [0.01, 0.02]; return p }, "learning_rates.count"),
            ({ var p = $0; p.learningRates = [0.01, .nan, 0.04]; return p }, "learning_rates"),
            ({ var p = $0; p.learningRates = [0.01, 0.02, 0.03]; return p }, "learning_rates"),
            ({ var p = $0; p.scales = [0.25, 0.5, 1]; return p }, "scales"),
            ({ var p = $0; p.jobs = 0; return p }, "jobs"),
            ({ var p = $0; p.maxExtensions = -1; return p }, "max_extensions"),
            ({ var p = $0; p.selectionSeeds = 1; return p }, "selection_seeds"),
        ]
        for (change, field) in bad {
            #expect { try change(Self.plan("/tmp/unused")).validate() } throws: { ($0 as? InvalidSetting)?.field == field }
        }
        #expect(throws: Never.self) { try Self.plan("/tmp/unused", scales: [0.25, 0.5, 1], reference: 0.5).validate() }
    }

    @Test func selectionRules() {
        #expect(Selection.round(0.1 * 3) == 0.3 && Selection.round(0.0025 * 2) == 0.005 && Selection.round(1 / 3.0) == 0.3333)
        #expect(Selection.neighbourhood(0.005, ratio: 2) == [0.0025, 0.005, 0.01])
        #expect(Selection.uniformMultiplier([]) == nil)
    }
}
