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
    private var sumRMSE = 0.0
    private var sumNRMSE = 0.0
    private var terms = 0
    /// Frames whose target is zero everywhere (nRMSE undefined there; they count in RMSE only).
    public private(set) var zeroTargets = 0

    public init() {}

    /// Adds `count` samples of `points` grid points × `frames` × `channels`; frames before
    /// `initialStep` are context and not scored.
    public mutating func add(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, count: Int, points S: Int,
                             frames T: Int, channels C: Int, initialStep: Int) {
        precondition(initialStep < T)
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
                    sumRMSE += e
                    if r > 0 { sumNRMSE += e / r } else { zeroTargets += 1 }
                    terms += 1
                }
            }
        }
        samples += count
    }

    /// nil before any sample, or when every scored frame had a zero target.
    public var rmse: Double? { terms > 0 ? sumRMSE / Double(terms) : nil }
    public var nrmse: Double? { terms > zeroTargets ? sumNRMSE / Double(terms - zeroTargets) : nil }
}
