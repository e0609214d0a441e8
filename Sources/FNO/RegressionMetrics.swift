/// PDEBench's error metrics (`pdebench/models/metrics.py`, `metric_func`), on predictions and
/// targets in the [N, S…, T, C] layout, over the predicted frames t ≥ `initialStep` only:
///
///     e[n, c, t] = √( mean_s (pred − y)² ),   ‖y‖[n, c, t] = √( mean_s y² )
///     RMSE  = mean_{n, c, t} e[n, c, t]
///     nRMSE = mean_{n, c, t} e[n, c, t] / ‖y‖[n, c, t]   (= ‖pred − y‖₂ / ‖y‖₂ per sample, channel, time)
///
/// The sums accumulate over batches (`add`), so the means are over samples, not batches.
public struct RegressionMetrics: Sendable, Equatable {
    public private(set) var samples = 0
    /// The sums per channel (index c), so a field whose scale dwarfs the others' (the pressure
    /// of compressible flow) cannot hide how the rest are predicted; the overall means are
    /// their totals.
    private var channelRMSESums: [Double] = []
    private var channelNRMSESums: [Double] = []
    private var channelTerms: [Int] = []
    private var channelZeroTargets: [Int] = []

    public init() {}

    /// Adds `count` samples of `points` grid points × `frames` × `channels`; frames before
    /// `initialStep` are context and not scored.
    public mutating func add(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, count: Int, points S: Int,
                             frames T: Int, channels C: Int, initialStep: Int) {
        precondition(initialStep < T)
        precondition(channelTerms.isEmpty || channelTerms.count == C, "channel count changed between batches")
        if channelTerms.isEmpty {
            channelRMSESums = .init(repeating: 0, count: C)
            channelNRMSESums = .init(repeating: 0, count: C)
            channelTerms = .init(repeating: 0, count: C)
            channelZeroTargets = .init(repeating: 0, count: C)
        }
        for n in 0..<count {
            for t in initialStep..<T {
                for c in 0..<C {
                    var err = 0.0, norm = 0.0
                    for s in 0..<S {
                        let i = ((n * S + s) * T + t) * C + c
                        let d = Double(p[i]) - Double(y[i])
                        err += d * d
                        norm += Double(y[i]) * Double(y[i])
                    }
                    let e = (err / Double(S)).squareRoot(), r = (norm / Double(S)).squareRoot()
                    channelRMSESums[c] += e
                    if r > 0 { channelNRMSESums[c] += e / r } else { channelZeroTargets[c] += 1 }
                    channelTerms[c] += 1
                }
            }
        }
        samples += count
    }

    /// Frames whose target is zero everywhere (nRMSE undefined there; they count in RMSE only).
    public var zeroTargets: Int { channelZeroTargets.reduce(0, +) }

    /// nil before any sample, or when every scored frame had a zero target.
    public var rmse: Double? {
        let terms = channelTerms.reduce(0, +)
        return terms > 0 ? channelRMSESums.reduce(0, +) / Double(terms) : nil
    }
    public var nrmse: Double? {
        let scored = channelTerms.reduce(0, +) - zeroTargets
        return scored > 0 ? channelNRMSESums.reduce(0, +) / Double(scored) : nil
    }

    /// RMSE per channel (empty before any sample).
    public var channelRMSE: [Double?] {
        channelTerms.indices.map { c in channelTerms[c] > 0 ? channelRMSESums[c] / Double(channelTerms[c]) : nil }
    }

    /// nRMSE per channel (empty before any sample; nil where every scored frame of the channel
    /// had a zero target). With equal counts per channel, `nrmse` is their mean.
    public var channelNRMSE: [Double?] {
        channelTerms.indices.map { c in
            channelTerms[c] > channelZeroTargets[c] ? channelNRMSESums[c] / Double(channelTerms[c] - channelZeroTargets[c]) : nil
        }
    }

    /// The persistence reference of an autoregressive forecast: every scored frame t ≥
    /// `initialStep` predicted as the last context frame `initialStep − 1`, scored like a model.
    /// A model above it has learnt less than "nothing changes". `samples` is [N, S, T, C].
    public static func persistence(_ samples: UnsafePointer<Float>, count: Int, points S: Int, frames T: Int, channels C: Int,
                                   initialStep K: Int) -> RegressionMetrics {
        precondition(K >= 1 && K < T)
        var metrics = RegressionMetrics()
        var held = [Float](repeating: 0, count: S * T * C)
        for n in 0..<count {
            let y = samples + n * S * T * C
            for s in 0..<S {
                for t in 0..<T {
                    for c in 0..<C { held[(s * T + t) * C + c] = y[(s * T + min(t, K - 1)) * C + c] }
                }
            }
            metrics.add(prediction: held, target: y, count: 1, points: S, frames: T, channels: C, initialStep: K)
        }
        return metrics
    }
}
