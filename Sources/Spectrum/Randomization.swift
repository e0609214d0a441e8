import LinearAlgebra
import Random
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// WeightWatcher's `randomize` option: the ESD of the layer with its entries shuffled, which
/// destroys the learned correlations and keeps the entry distribution (and ‖W‖_F).
public enum Randomization {
    /// A per-layer seed from the run's seed and the layer name (64-bit FNV-1a of the name,
    /// mixed with the seed by SplitMix64), so a layer's shuffle does not depend on which other
    /// layers are analysed or in what order the workers take them.
    public static func layerSeed(_ seed: UInt64, name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        var g = SplitMix64(seed: seed ^ h)
        return g.next()
    }

    /// Shuffles `values` in place (Fisher–Yates, every permutation equally likely).
    public static func shuffle(_ values: inout [Double], using g: inout SplitMix64) {
        var i = values.count - 1
        while i > 0 {
            let j = Int(g.next(below: UInt64(i + 1)))
            values.swapAt(i, j)
            i -= 1
        }
    }

    /// The ESD of the layer after shuffling the entries of each of its matrices (each conv slice
    /// separately, as WeightWatcher does), scaled like the layer's own ESD.
    ///
    /// - Parameter seed: the layer's seed (see `layerSeed`).
    public static func esd(_ matrices: WeightMatrices, data: UnsafeBufferPointer<Double>, convNorm: Double,
                           seed: UInt64) throws -> ESD {
        var g = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(matrices.eigenvalueCount)
        try matrices.forEachSlice(of: data) { slice in
            var copy = Array(slice)
            shuffle(&copy, using: &g)
            values += try SymmetricEigen.gramEigenvalues(copy, rows: matrices.rows, cols: matrices.cols)
        }
        return ESD(gramEigenvalues: values, matrices: matrices, convNorm: convNorm)
    }

    /// WeightWatcher's `rand_distance`: the Jensen–Shannon distance between two *sorted
    /// eigenvalue vectors* read as probability vectors (`jensen_shannon_distance`, with
    /// `scipy.stats.entropy`): `P = p/Σp`, `Q = q/Σq`, `m = (p + q)/2`, `M = m/Σm`,
    /// `√((KL(P‖M) + KL(Q‖M))/2)`, natural logarithms; terms with a zero probability are 0.
    ///
    /// It compares the i-th smallest eigenvalue of one spectrum with the i-th of the other, not
    /// two distributions; `densityDistance` does that.
    /// - Returns: nil when the lengths differ or a vector sums to 0.
    public static func sortedVectorDistance(_ p: [Double], _ q: [Double]) -> Double? {
        guard p.count == q.count, !p.isEmpty else { return nil }
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        guard sp > 0, sq > 0 else { return nil }
        var m = [Double](repeating: 0, count: p.count)
        for i in p.indices { m[i] = (p[i] + q[i]) / 2 }
        let sm = m.reduce(0, +)
        func kl(_ a: [Double], _ sa: Double) -> Double {
            var s = 0.0
            for i in a.indices where a[i] > 0 {
                let pa = a[i] / sa, pm = m[i] / sm
                s += pa * log(pa / pm)
            }
            return s
        }
        return max(0, (kl(p, sp) + kl(q, sq)) / 2).squareRoot()
    }

    /// The Jensen–Shannon distance (natural logarithms, between 0 and √ln 2 ≈ 0.833) between the
    /// densities of two spectra: histograms of `log10 λ` over `bins` common equal-width bins
    /// spanning the positive values of both. Zero eigenvalues have no logarithm and are left out.
    /// - Returns: nil when either spectrum has no positive value.
    public static func densityDistance(_ a: [Double], _ b: [Double], bins: Int = 100) -> Double? {
        let la = a.filter { $0 > 0 }.map { log10($0) }, lb = b.filter { $0 > 0 }.map { log10($0) }
        guard let minA = la.min(), let minB = lb.min(), let maxA = la.max(), let maxB = lb.max() else { return nil }
        let lo = min(minA, minB), hi = max(maxA, maxB)
        func histogram(_ xs: [Double]) -> [Double] {
            var h = [Double](repeating: 0, count: bins)
            let width = (hi - lo) / Double(bins)
            for x in xs {
                var k = width > 0 ? Int((x - lo) / width) : 0
                if k >= bins { k = bins - 1 }
                h[k] += 1
            }
            return h.map { $0 / Double(xs.count) }
        }
        let p = histogram(la), q = histogram(lb)
        var d = 0.0
        for k in 0..<bins {
            let m = (p[k] + q[k]) / 2
            if p[k] > 0 { d += 0.5 * p[k] * log(p[k] / m) }
            if q[k] > 0 { d += 0.5 * q[k] * log(q[k] / m) }
        }
        return max(0, d).squareRoot()
    }
}
