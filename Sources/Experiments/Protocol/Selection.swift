import Foundation

/// Where a chosen value lies in the grid it was chosen from.
public enum EdgeStatus: String, Sendable, Codable {
    /// Both neighbours were tried: the choice is inside the grid.
    case interior
    /// The smallest / largest value tried (the extension cap was reached, or the grid is one value).
    case lowerEdge = "lower edge"
    case upperEdge = "upper edge"
}

/// One value of a grid with its runs' validation metric over the seeds.
public struct GridPoint: Sendable {
    public var value: Double
    /// Mean ± std of the validation metric over the seeds (nil when a run is missing or diverged).
    public var validation: SampleSummary?
    /// Every seed ran and none diverged.
    public var eligible: Bool
    public var diverged: Int
}

/// The best value of a grid by mean validation metric.
public struct GridChoice: Sendable {
    public var points: [GridPoint]
    public var chosen: Int?
    public var value: Double? { chosen.map { points[$0].value } }
    /// nil without a choice.
    public var edge: EdgeStatus? {
        guard let k = chosen else { return nil }
        if k == 0 { return .lowerEdge }
        if k == points.count - 1 { return .upperEdge }
        return .interior
    }
}

/// The protocol's selection rules, as pure functions of the results (the runner and the report
/// use the same ones, so a report regenerated from the CSV of runs makes the same choices).
public enum Selection {
    /// Rounds to 4 significant digits, so grid values made by multiplying stay readable and
    /// compare equal (0.005 · 2 = 0.01).
    public static func round(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        let e = floor(log10(abs(v)))
        let f = pow(10, 3 - e)
        return (v * f).rounded() / f
    }

    /// Values equal after `round`.
    public static func same(_ a: Double, _ b: Double) -> Bool { round(a) == round(b) }

    /// The grid of `values` (ascending) scored by `runs(value)`: a value is eligible when it has
    /// a run for every one of `seeds` seeds and none diverged; the choice is the eligible value
    /// with the best mean validation metric (the smaller value on an exact tie).
    public static func choose(values: [Double], seeds: Int, direction: Direction, runs: (Double) -> [TrialResult]) -> GridChoice {
        let points = values.sorted().map { v -> GridPoint in
            let rs = runs(v)
            let diverged = rs.filter { $0.diverged || $0.validation == nil || !$0.validation!.isFinite }.count
            let eligible = rs.count >= seeds && diverged == 0
            return GridPoint(value: v, validation: eligible ? SampleSummary(rs.map { $0.validation! }) : nil, eligible: eligible,
                             diverged: diverged)
        }
        var best: Int?
        for (k, p) in points.enumerated() {
            guard let m = p.validation?.mean else { continue }
            if let b = best, let mb = points[b].validation?.mean {
                if direction == .lower ? m < mb : m > mb { best = k }
            } else {
                best = k
            }
        }
        return GridChoice(points: points, chosen: best)
    }

    /// The value one step beyond the edge the choice sits on (the ratio of the two outermost
    /// values on that side), while fewer than `cap` values lie beyond `initial` on that side;
    /// nil when the choice is interior, there is none, or the cap is reached.
    public static func extensionValue(_ choice: GridChoice, initial: [Double], cap: Int) -> Double? {
        let values = choice.points.map(\.value)
        guard values.count >= 2, let edge = choice.edge, let lo = initial.min(), let hi = initial.max() else { return nil }
        switch edge {
        case .interior: return nil
        case .lowerEdge:
            guard values.filter({ $0 < lo && !same($0, lo) }).count < cap else { return nil }
            return round(values[0] * values[0] / values[1])
        case .upperEdge:
            guard values.filter({ $0 > hi && !same($0, hi) }).count < cap else { return nil }
            let n = values.count
            return round(values[n - 1] * values[n - 1] / values[n - 2])
        }
    }

    /// The three-point neighbourhood {v/r, v, v·r} of a value on a grid of ratio r.
    public static func neighbourhood(_ v: Double, ratio: Double) -> [Double] {
        [round(v / ratio), round(v), round(v * ratio)]
    }

    /// The uniform control's multiplier G: the geometric mean, over the balanced layers and the
    /// seeds, of TempBalance's η-weighted time-averaged multipliers m̄_l (`MultiplierSummary`):
    /// G = exp(mean_{seed, l} ln m̄_l), rounded to 4 digits. Layer-weighted, not
    /// parameter-weighted: the policy treats each layer as one unit (the sigmoid is centred on the
    /// unweighted mean α over layers), so this is the level the policy sets and the control
    /// removes only the spread across layers and over time. nil without multipliers.
    public static func uniformMultiplier(_ tempBalanceRuns: [TrialResult]) -> Double? {
        let logs = tempBalanceRuns.flatMap { $0.multipliers.map { log($0.multiplier) } }.filter(\.isFinite)
        guard !logs.isEmpty else { return nil }
        return round(exp(logs.reduce(0, +) / Double(logs.count)))
    }
}
