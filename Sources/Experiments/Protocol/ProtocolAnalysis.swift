import Foundation

/// A data setting of an experiment (e.g. 50 training samples), named by its sample count.
public struct ProtocolCell: Sendable, Codable, Equatable {
    /// Used in run folder names (`n50`).
    public var id: String
    /// Row label in tables (`50 samples`).
    public var label: String
    /// Training examples per run.
    public var trainSamples: Int
    /// TempBalance's reference policy scale s (the paper's value for this cell), nil when the
    /// policy has none; the learning rate is searched at it first, then the scale sweep runs.
    public var referenceScale: Double?

    public init(id: String, label: String, trainSamples: Int, referenceScale: Double? = nil) {
        self.id = id; self.label = label; self.trainSamples = trainSamples; self.referenceScale = referenceScale
    }
}

/// One arm of a cell at its chosen hyperparameters.
public struct ArmOutcome: Sendable {
    public var arm: Arm
    public var scale: Double?
    public var uniformMultiplier: Double?
    /// The learning-rate grid tried and the choice.
    public var grid: GridChoice
    /// The runs at the chosen learning rate, by seed.
    public var runs: [TrialResult]
    public var validation: SampleSummary?
    public var test: SampleSummary?
    /// Paired against the baseline's runs at its own chosen rate, seed by seed.
    public var vsBaseline: PairedComparison?
    /// Layer-steps with a multiplier within 10 % of a bound, of all (TempBalance and frozen).
    public var nearBoundShare: Double?
    public var lr: Double? { grid.value }
}

/// One value of TempBalance's scale sweep, at the learning rate chosen for the reference scale.
public struct ScalePoint: Sendable {
    public var scale: Double
    public var validation: SampleSummary?
    public var test: SampleSummary?
    public var vsBaseline: PairedComparison?
}

/// Everything a report says about one cell.
public struct CellOutcome: Sendable {
    public var cell: ProtocolCell
    public var seeds: [UInt64]
    public var arms: [ArmOutcome]
    /// The scale sweep (nil without one): the grid over s at `scaleSweepLR`.
    public var scaleGrid: GridChoice?
    public var scaleSweepLR: Double?
    public var scaleSweep: [ScalePoint] = []
    public var tempBalanceVsFrozen: PairedComparison?
    public var tempBalanceVsUniform: PairedComparison?

    public func arm(_ a: Arm) -> ArmOutcome? { arms.first { $0.arm == a } }

    /// Seconds of all runs of the cell (wall, and CPU of the running threads).
    public var runCount = 0
    public var cpuSeconds = 0.0
    public var seconds = 0.0
}

/// The protocol's choices and statistics, as pure functions of the runs.
///
/// Per cell: (1) the baseline's learning rate and TempBalance's at its reference scale, each
/// the best mean validation metric on its grid; (2) the scale sweep at TempBalance's rate from
/// (1), the best scale s*; if s* differs from the reference, TempBalance's rate again at s* on
/// the neighbourhood of (1); (3) the controls at s*, each on its own grid. The test metric is
/// only reported.
public enum ProtocolAnalysis {
    /// The runs of a cell and arm with this scale (nil = none) and uniform multiplier, by learning rate.
    static func runs(_ results: [TrialResult], cell: String, arm: Arm, scale: Double?, g: Double?) -> [TrialResult] {
        results.filter { r in
            r.trial.cell == cell && r.trial.arm == arm && optionalSame(r.trial.scale, scale)
                && (g == nil || optionalSame(r.trial.uniformMultiplier, g))
        }
    }

    static func optionalSame(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return Selection.same(x, y)
        default: return false
        }
    }

    static func distinct(_ values: [Double]) -> [Double] {
        var out: [Double] = []
        for v in values.sorted() where !out.contains(where: { Selection.same($0, v) }) { out.append(v) }
        return out
    }

    /// The learning-rate grid of one arm setting and its choice, on the runs of the selection
    /// seeds `seeds` (`ProtocolPlan.selectionSeeds`; runs of other seeds are not looked at).
    public static func lrChoice(_ results: [TrialResult], cell: String, arm: Arm, scale: Double?, g: Double?, seeds: [UInt64],
                                direction: Direction) -> GridChoice {
        let rs = runs(results, cell: cell, arm: arm, scale: scale, g: g).filter { seeds.contains($0.trial.seed) }
        return Selection.choose(values: distinct(rs.map(\.trial.lr)), seeds: seeds.count, direction: direction) { lr in
            rs.filter { Selection.same($0.trial.lr, lr) }
        }
    }

    /// The scale sweep's grid at learning rate `lr` and its choice (on the selection seeds).
    public static func scaleChoice(_ results: [TrialResult], cell: String, lr: Double, seeds: [UInt64], direction: Direction) -> GridChoice {
        let rs = results.filter { $0.trial.cell == cell && $0.trial.arm == .tempBalance && Selection.same($0.trial.lr, lr) && $0.trial.scale != nil
            && seeds.contains($0.trial.seed) }
        return Selection.choose(values: distinct(rs.map { $0.trial.scale! }), seeds: seeds.count, direction: direction) { s in
            rs.filter { Selection.same($0.trial.scale!, s) }
        }
    }

    /// The seeds the choices were made on: those with a baseline run at every learning rate of the
    /// baseline's grid (all seeds, unless the plan searched on `selectionSeeds` and ran the rest
    /// only at the chosen rates).
    public static func selectionSeeds(_ results: [TrialResult], cell: String) -> [UInt64] {
        let base = results.filter { $0.trial.cell == cell && $0.trial.arm == .baseline }
        var common: Set<UInt64>?
        for lr in distinct(base.map(\.trial.lr)) {
            let s = Set(base.filter { Selection.same($0.trial.lr, lr) }.map(\.trial.seed))
            common = common.map { $0.intersection(s) } ?? s
        }
        return (common ?? []).sorted()
    }

    /// TempBalance's chosen scale (nil: the policy has none) and its learning-rate grid.
    public static func tempBalance(_ results: [TrialResult], cell: ProtocolCell, seeds: [UInt64], direction: Direction)
        -> (scale: Double?, grid: GridChoice, scaleGrid: GridChoice?, sweepLR: Double?) {
        let reference = lrChoice(results, cell: cell.id, arm: .tempBalance, scale: cell.referenceScale, g: nil, seeds: seeds, direction: direction)
        guard cell.referenceScale != nil, let lr = reference.value else { return (cell.referenceScale, reference, nil, nil) }
        let sweep = scaleChoice(results, cell: cell.id, lr: lr, seeds: seeds, direction: direction)
        guard let s = sweep.value, !Selection.same(s, cell.referenceScale!) else { return (cell.referenceScale, reference, sweep, lr) }
        return (s, lrChoice(results, cell: cell.id, arm: .tempBalance, scale: s, g: nil, seeds: seeds, direction: direction), sweep, lr)
    }

    /// Runs by seed in `seeds` order (nil when one is missing or not finite).
    static func bySeed(_ rs: [TrialResult], seeds: [UInt64]) -> [TrialResult]? {
        let out = seeds.compactMap { s in rs.first { $0.trial.seed == s } }
        return out.count == seeds.count ? out : nil
    }

    static func tests(_ rs: [TrialResult]?) -> [Double]? {
        guard let rs, rs.allSatisfy({ $0.test?.isFinite == true }) else { return nil }
        return rs.map { $0.test! }
    }

    /// The outcome of every cell, in the order given.
    public static func analyze(_ results: [TrialResult], cells: [ProtocolCell], direction: Direction) -> [CellOutcome] {
        cells.map { c in analyze(results.filter { $0.trial.cell == c.id }, cell: c, direction: direction) }
    }

    /// The outcome of one cell from its runs.
    public static func analyze(_ results: [TrialResult], cell: ProtocolCell, direction: Direction) -> CellOutcome {
        let seeds = Array(Set(results.filter { $0.trial.arm == .baseline }.map(\.trial.seed))).sorted()
        let n = selectionSeeds(results, cell: cell.id)
        func outcome(_ arm: Arm, scale: Double?, g: Double?, grid: GridChoice) -> ArmOutcome {
            let chosen = grid.value.flatMap { lr in
                bySeed(runs(results, cell: cell.id, arm: arm, scale: scale, g: g).filter { Selection.same($0.trial.lr, lr) }, seeds: seeds)
            }
            let total = chosen?.reduce(0) { $0 + $1.boundSteps } ?? 0
            let near = chosen?.reduce(0) { $0 + $1.nearBound } ?? 0
            return ArmOutcome(arm: arm, scale: scale, uniformMultiplier: g, grid: grid, runs: chosen ?? [],
                              validation: chosen.flatMap { c in SampleSummary(c.compactMap(\.validation)) },
                              test: tests(chosen).flatMap(SampleSummary.init), vsBaseline: nil,
                              nearBoundShare: total > 0 ? Double(near) / Double(total) : nil)
        }
        var arms: [ArmOutcome] = []
        arms.append(outcome(.baseline, scale: nil, g: nil,
                            grid: lrChoice(results, cell: cell.id, arm: .baseline, scale: nil, g: nil, seeds: n, direction: direction)))
        let tb = tempBalance(results, cell: cell, seeds: n, direction: direction)
        arms.append(outcome(.tempBalance, scale: tb.scale, g: nil, grid: tb.grid))
        arms.append(outcome(.frozen, scale: tb.scale, g: nil,
                            grid: lrChoice(results, cell: cell.id, arm: .frozen, scale: tb.scale, g: nil, seeds: n, direction: direction)))
        let g = Selection.uniformMultiplier(arms[1].runs)
        if let g {
            arms.append(outcome(.uniform, scale: tb.scale, g: g,
                                grid: lrChoice(results, cell: cell.id, arm: .uniform, scale: tb.scale, g: g, seeds: n, direction: direction)))
        }
        let base = tests(arms[0].runs.isEmpty ? nil : arms[0].runs)
        for k in arms.indices.dropFirst() {
            if let b = base, let t = tests(arms[k].runs.isEmpty ? nil : arms[k].runs) {
                arms[k].vsBaseline = PairedComparison(treatment: t, control: b, direction: direction)
            }
        }
        var out = CellOutcome(cell: cell, seeds: seeds, arms: arms, scaleGrid: tb.scaleGrid, scaleSweepLR: tb.sweepLR)
        if let grid = tb.scaleGrid, let lr = tb.sweepLR {
            out.scaleSweep = grid.points.map { p in
                let rs = bySeed(results.filter { $0.trial.arm == .tempBalance && Selection.same($0.trial.lr, lr)
                    && optionalSame($0.trial.scale, p.value) }, seeds: seeds)
                let t = tests(rs)
                return ScalePoint(scale: p.value, validation: p.validation, test: t.flatMap(SampleSummary.init),
                                  vsBaseline: t.flatMap { t in base.flatMap { PairedComparison(treatment: t, control: $0, direction: direction) } })
            }
        }
        let tbTests = tests(arms[1].runs.isEmpty ? nil : arms[1].runs)
        if let t = tbTests, let f = tests(arms[2].runs.isEmpty ? nil : arms[2].runs) {
            out.tempBalanceVsFrozen = PairedComparison(treatment: t, control: f, direction: direction)
        }
        if arms.count > 3, let t = tbTests, let u = tests(arms[3].runs.isEmpty ? nil : arms[3].runs) {
            out.tempBalanceVsUniform = PairedComparison(treatment: t, control: u, direction: direction)
        }
        out.runCount = results.count
        out.cpuSeconds = results.reduce(0) { $0 + $1.cpuSeconds + ($1.extra["test_cpu_seconds"] ?? 0) }
        out.seconds = results.reduce(0) { $0 + $1.seconds + ($1.extra["test_seconds"] ?? 0) }
        return out
    }
}
