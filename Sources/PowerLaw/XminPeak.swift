/// `xmin_peak`: KS selection restricted to candidates near the mode of the log-spectrum.
public enum XminPeak {
    /// The left edge of the fullest of `bins` equal-width bins of `log10 λ` (λ > 0), from the
    /// smallest to the largest value (numpy's `histogram`: the last bin is closed; the first
    /// fullest bin on ties), as `10^edge`. `nil` when there are no positive values.
    public static func peak(_ values: [Double], bins: Int = 100) -> Double? {
        let logs = values.filter { $0 > 0 }.map { log10($0) }
        guard let lo = logs.min(), let hi = logs.max() else { return nil }
        if lo == hi { return pow(10, lo) }
        var counts = [Int](repeating: 0, count: bins)
        let width = (hi - lo) / Double(bins)
        for x in logs {
            var b = Int((x - lo) / width)
            if b >= bins { b = bins - 1 }
            counts[b] += 1
        }
        var arg = 0
        for b in 1..<bins where counts[b] > counts[arg] { arg = b }
        return pow(10, lo + Double(arg) * width)
    }

    /// KS fit over the candidates with `0.95·xpeak ≤ λ_i ≤ 1.5·xpeak`.
    ///
    /// - Parameter referenceQuirk: reproduce the reference code, which compares λ with
    ///   `log10(0.95·xpeak)` instead of `0.95·xpeak`, so the lower bound is nearly void.
    ///   If no candidate gives α > 1 the reference returns α = 0, D = 1; here that is
    ///   `.failure(.noValidCandidate)`.
    public static func fit(_ values: [Double], referenceQuirk: Bool = false) -> FitResult {
        if let failure = validateSpectrum(values) { return .failure(failure) }
        guard values.count >= 2 else { return .failure(.tooFewValues(count: values.count, needed: 2)) }
        guard let xpeak = peak(values) else { return .failure(.nonPositiveXmin(xmin: values.last ?? 0)) }
        let lower = referenceQuirk ? log10(0.95 * xpeak) : 0.95 * xpeak
        let upper = 1.5 * xpeak
        let indices = values.indices.dropLast().filter { values[$0] >= lower && values[$0] <= upper }
        guard let first = indices.first, let last = indices.last else { return .failure(.noValidCandidate) }
        // Values are ascending, so the admissible indices are contiguous.
        return KSFit.fit(values, candidates: first..<(last + 1), method: .peak)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
