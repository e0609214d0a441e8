import Foundation

/// What the learning-rate policy did over a run, per balanced layer: the η-weighted time
/// average of its multiplier and how often the multiplier sat near a bound of the policy's range.
///
/// - Time average: m̄_l = Σ_t η(t)·m_l(t) / Σ_t η(t) over the optimizer steps t at which layer l
///   was balanced (η the scheduled global rate). A uniform rate of m̄_l·η(t) would move the layer
///   with the same total rate Σ_t η(t)·m_l(t) as the policy did.
/// - Near a bound: the multiplier's position in the policy's range (`boundPosition`) is within
///   10 % of either end, counted per step.
public struct MultiplierSummary: Sendable, Codable, Equatable {
    public struct Layer: Sendable, Codable, Equatable {
        public var name: String
        /// Σ η(t) over the steps the layer was balanced, and Σ η(t)·m(t).
        public var etaSum = 0.0
        public var weightedSum = 0.0
        /// Steps counted, and those with the multiplier within 10 % of a bound.
        public var steps = 0
        public var nearBound = 0

        public init(name: String) { self.name = name }

        /// m̄ = Σ η·m / Σ η (nil before any step with η > 0).
        public var timeAverage: Double? { etaSum > 0 ? weightedSum / etaSum : nil }
    }

    /// The layers in the order they were first balanced.
    public var layers: [Layer] = []
    /// The policy whose bounds define "near a bound" (nil: no bounds, e.g. the uniform control).
    public var bounds: PolicyOptions?

    public init(bounds: PolicyOptions?) { self.bounds = bounds }

    /// Records one optimizer step at global rate `eta` with each balanced layer's multiplier.
    public mutating func record(eta: Double, multipliers: [(layer: String, multiplier: Double)]) {
        for (name, m) in multipliers {
            var k = layers.firstIndex { $0.name == name }
            if k == nil { layers.append(Layer(name: name)); k = layers.count - 1 }
            layers[k!].etaSum += eta
            layers[k!].weightedSum += eta * m
            layers[k!].steps += 1
            if let b = bounds, let p = Self.boundPosition(m, options: b), p <= 0.1 || p >= 0.9 { layers[k!].nearBound += 1 }
        }
    }

    /// Each layer's time-averaged multiplier m̄_l.
    public var timeAverages: [(layer: String, multiplier: Double)] {
        layers.compactMap { l in l.timeAverage.map { (l.name, $0) } }
    }

    /// The share of layer-steps with the multiplier within 10 % of a bound (nil without bounds or steps).
    public var nearBoundShare: Double? {
        let total = layers.reduce(0) { $0 + $1.steps }
        guard bounds != nil, total > 0 else { return nil }
        return Double(layers.reduce(0) { $0 + $1.nearBound }) / Double(total)
    }

    /// Where a multiplier lies in the policy's range, 0 at the lower bound and 1 at the upper:
    /// for `tb_linear_map` on [lrMinRatio, lrMaxRatio] itself; for the sigmoid on its exponent
    /// f = log₁₀ m ∈ [−sMin/2, sMax/2] (σ − ½ ranges over (−½, ½)). nil for an empty range.
    public static func boundPosition(_ multiplier: Double, options: PolicyOptions) -> Double? {
        let (lo, hi, x): (Double, Double, Double)
        switch options.scheme {
        case .linear: (lo, hi, x) = (options.lrMinRatio, options.lrMaxRatio, multiplier)
        case .sigmoid: (lo, hi, x) = (-options.sMin / 2, options.sMax / 2, log10(multiplier))
        }
        guard hi > lo, x.isFinite else { return nil }
        return (x - lo) / (hi - lo)
    }
}

extension TempBalance {
    /// The uniform control's decisions: the layers TempBalance would balance (its exclusions:
    /// `candidates`, and in block unit the blocks) all get `multiplier`; the rest are excluded as
    /// TempBalance excludes them. Route them with `route` as TempBalance's own.
    public static func uniform(_ layers: [LayerFit], multiplier: Double, options: PolicyOptions) -> [LayerDecision] {
        let probe = layers.map { LayerFit(name: $0.name, eigenvalueCount: $0.eigenvalueCount, metric: 0) }
        return decide(probe, options: options).map { d in
            var d = d
            d.metric = nil
            d.groupMetric = nil
            if d.excluded == nil { d.multiplier = multiplier }
            return d
        }
    }
}
