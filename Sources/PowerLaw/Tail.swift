/// Log-spectrum with suffix sums, so that the MLE α for any candidate xmin costs O(1).
///
/// For ascending `λ` with `L = ln λ`, the continuous power-law MLE with the tail `λ[i...]`
/// (n = N − i values, xmin = λ[i] included) is
///
///     α_i = 1 + n / ( Σ_{j≥i} L[j] − n·L[i] )
///
/// The logs are shifted by `ln λmax` before summing (a constant shift leaves `Σ L[j] − n·L[i]`
/// unchanged) and the suffix sums are compensated (Neumaier), so the difference keeps full
/// relative precision even for tails whose values are nearly equal.
struct LogTail {
    let values: [Double]
    /// `ln λ − ln λmax` (−∞ for λ ≤ 0).
    let shiftedLogs: [Double]
    /// `suffix[i] = Σ_{j≥i} shiftedLogs[j]`, compensated; only finite for indices of positive values.
    private let suffix: [Double]

    init(sortedAscending values: [Double]) {
        self.values = values
        let n = values.count
        let top = n > 0 && values[n - 1] > 0 ? Double.log(values[n - 1]) : 0
        var logs = [Double](repeating: -.infinity, count: n)
        for i in 0..<n where values[i] > 0 { logs[i] = Double.log(values[i]) - top }
        shiftedLogs = logs
        var s = [Double](repeating: 0, count: n + 1)
        var sum = 0.0, comp = 0.0
        for i in stride(from: n - 1, through: 0, by: -1) {
            let x = logs[i]
            let t = sum + x
            if abs(sum) >= abs(x) { comp += (sum - t) + x } else { comp += (x - t) + sum }
            sum = t
            s[i] = sum + comp
        }
        suffix = s
    }

    var count: Int { values.count }

    /// The MLE α for the tail starting at index `i`, or a failure when it is undefined.
    func alpha(at i: Int) -> Result<Double, FitFailure> {
        let x = values[i]
        guard x > 0 else { return .failure(.nonPositiveXmin(xmin: x)) }
        let n = Double(count - i)
        let denominator = logExcess(at: i)
        guard denominator > 0 else { return .failure(.degenerateTail) }
        return .success(1 + n / denominator)
    }

    /// `Σ_{j≥i} ln(λ[j]/λ[i])` (requires `λ[i] > 0`).
    func logExcess(at i: Int) -> Double {
        suffix[i] - Double(count - i) * shiftedLogs[i]
    }

    /// The KS distance of the tail from index `i` to the law with exponent `alpha`:
    ///
    ///     D = max_{t=0..n−1} | 1 − (λ[i+t]/λ[i])^(1−α) − t/n |
    ///
    /// (the empirical CDF is t/n, as in the reference code). Stops early and returns a value
    /// ≥ `cutoff` as soon as the running maximum reaches `cutoff`; the result is exact whenever it
    /// is below `cutoff`.
    func ksDistance(at i: Int, alpha: Double, cutoff: Double = .infinity) -> Double {
        let n = count - i
        let invN = 1.0 / Double(n)
        let base = shiftedLogs[i]
        let exponent = 1 - alpha
        var d = 0.0
        for t in 0..<n {
            let cdf = 1 - Double.exp(exponent * (shiftedLogs[i + t] - base))
            let gap = abs(cdf - Double(t) * invN)
            if gap > d {
                d = gap
                if d >= cutoff { return d }
            }
        }
        return d
    }

    /// `#{λ ≥ x}` by binary search.
    func countAtLeast(_ x: Double) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return count - lo
    }

    func makeFit(method: FitMethod, index i: Int, alpha: Double, D: Double, estimator: Estimator = .mle) -> PowerLawFit {
        PowerLawFit(method: method, alpha: alpha, xmin: values[i], xmax: values[count - 1], xminIndex: i,
                    tailCount: count - i, D: D, numPLSpikes: countAtLeast(values[i]), estimator: estimator)
    }
}

extension Double {
    @inline(__always) static func log(_ x: Double) -> Double { _log(x) }
    @inline(__always) static func exp(_ x: Double) -> Double { _exp(x) }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif

/// Checks that a spectrum is finite and ascending; the fits require both.
func validateSpectrum(_ values: [Double]) -> FitFailure? {
    for v in values where !v.isFinite { return .nonFinite }
    return nil
}
