import Random
import Testing
import LinearAlgebra
@testable import Spectrum
#if canImport(Glibc)
import Glibc
#endif

/// Standard Gaussians (Box–Muller) from SplitMix64.
func gaussians(_ count: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    func u() -> Double { (Double(g.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    return (0..<count).map { _ in (-2 * log(u())).squareRoot() * cos(2 * .pi * u()) }
}

/// A `rows × cols` Gaussian matrix plus `k` rank-one spikes `θ_j u_j v_jᵀ` (unit u, v,
/// `θ_j = (3 + j)(√rows + √cols)`, far beyond the BBP threshold `(rows·cols)^(1/4)`).
func spikedGaussian(rows: Int, cols: Int, spikes k: Int, seed: UInt64) -> [Double] {
    var w = gaussians(rows * cols, seed: seed)
    let edge = Double(rows).squareRoot() + Double(cols).squareRoot()
    for j in 0..<k {
        var u = gaussians(rows, seed: seed &+ 1000 &+ UInt64(j)), v = gaussians(cols, seed: seed &+ 2000 &+ UInt64(j))
        let nu = u.reduce(0) { $0 + $1 * $1 }.squareRoot(), nv = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        u = u.map { $0 / nu }
        v = v.map { $0 / nv }
        let theta = (3 + Double(j)) * edge
        for a in 0..<rows { for b in 0..<cols { w[a * cols + b] += theta * u[a] * v[b] } }
    }
    return w
}

func linearESD(_ w: [Double], rows: Int, cols: Int) throws -> ESD {
    try w.withUnsafeBufferPointer { try ESD(WeightMatrices(kind: .linear, shape: [rows, cols], layout: .pytorch), data: $0) }
}

@Suite struct LinearKDETests {
    /// The prefix-sum evaluation equals the kernel sum term by term (to rounding), including
    /// points at exactly ±h and duplicates.
    @Test func equalsTheDirectSum() {
        var g = SplitMix64(seed: 3)
        var xs = (0..<500).map { _ in Double(g.next() >> 11) / 9_007_199_254_740_992 * 4 }
        xs += [1.0, 1.0, 1.1, 0.9]
        let h = 0.1
        let kde = LinearKDE(xs, bandwidth: h)
        for q in stride(from: -0.2, through: 4.3, by: 0.0137) + [1.0, 1.1, 0.9, 1.2] {
            let direct = xs.reduce(0) { $0 + max(0, 1 - abs(q - $1) / h) } / (Double(xs.count) * h)
            #expect(abs(kde.density(at: q) - direct) < 1e-12, "at \(q)")
        }
    }

    /// scikit-learn's value for the sample (0, 0.05, 0.3, 1) at 0.02 is 3.75 (checked with
    /// `KernelDensity(kernel='linear', bandwidth=0.1)`), and 0 between the points' reach.
    @Test func scikitLearnCheckValues() {
        let kde = LinearKDE([0, 0.05, 0.3, 1], bandwidth: 0.1)
        #expect(abs(kde.density(at: 0.02) - 3.75) < 1e-12)
        #expect(abs(kde.density(at: 0.25) - 1.25) < 1e-12)
        #expect(kde.density(at: 0.5) == 0)
    }
}

@Suite struct MarchenkoPasturTests {
    /// Both laws are probability densities: they integrate to 1 (midpoint rule on 2·10⁵ cells;
    /// the √ edge singularities limit the error to ~1e-6).
    @Test(arguments: [1.5, 2.0, 4.0, 10.0])
    func densityIntegratesToOne(Q: Double) {
        let e = MarchenkoPastur.edges(Q: Q, sigma: 1.3)
        let n = 200_000
        let h = (e.upper - e.lower) / Double(n)
        let mass = (0..<n).reduce(0.0) { $0 + MarchenkoPastur.density(e.lower + (Double($1) + 0.5) * h, Q: Q, sigma: 1.3) } * h
        #expect(abs(mass - 1) < 1e-5)
        let hq = 2 * 0.7 / Double(n)
        let qc = (0..<n).reduce(0.0) { $0 + QuarterCircle.density((Double($1) + 0.5) * hq, sigma: 0.7) } * hq
        #expect(abs(qc - 1) < 1e-5)
    }

    /// Gaussian matrices of several Q (M = 250): σ = 1 and the bulk edges `(1 ± 1/√Q)²` in the
    /// rescaled units, no spikes. Tolerance: σ within 0.03 and x₊ within 6 %. The fit matches a
    /// density estimate smoothed by a kernel of half-width 0.1, and at M = 250 the top
    /// eigenvalue fluctuates by O(M^(−2/3)) ≈ 2.5 % around x₊; over 20 seeds per Q the error of
    /// σ stayed below 0.015 (see docs/metrics.md), so twice that cannot fail by chance but does
    /// fail for a wrong law, wrong rescaling (σ off by √Q) or a wrong grid.
    @Test(arguments: [(250, 250), (500, 250), (1000, 250)])
    func gaussianRecoversSigmaOneAndTheEdges(rows: Int, cols: Int) throws {
        for seed in UInt64(1)...3 {
            let esd = try linearESD(gaussians(rows * cols, seed: seed), rows: rows, cols: cols)
            let Q = Double(rows) / Double(cols)
            let fit = try MPFitter.fit(esd.eigenvalues, Q: Q, M: cols).get()
            #expect(abs(fit.sigma - 1) < 0.03, "Q \(Q) seed \(seed): σ = \(fit.sigma)")
            #expect(fit.numSpikes == 0)
            #expect(fit.law == (Q == 1 ? .quarterCircle : .marchenkoPastur))
            // Rescaled edges, then in the ESD's units (λ' = W_scale² λ).
            let w2 = fit.wScale * fit.wScale
            let r = 1 / Q.squareRoot()
            #expect(abs(fit.bulkMax * w2 / ((1 + r) * (1 + r)) - 1) < 0.06)
            #expect(abs(fit.bulkMin * w2 - fit.sigma * fit.sigma * (1 - r) * (1 - r)) < 1e-12)
            // Σλ = n/W_scale², and mp_softrank = x₊/λ'max.
            #expect(abs(esd.eigenvalues.reduce(0, +) * w2 - Double(esd.count)) < 1e-9 * Double(esd.count))
            #expect(abs(fit.softrank - fit.bulkMax / esd.lambdaMax) < 1e-12)
        }
    }

    /// Gaussian plus k planted spikes far beyond the BBP threshold: exactly k eigenvalues
    /// above `x₊ + √TW`.
    @Test(arguments: [1, 3, 5])
    func plantedSpikesAreCounted(k: Int) throws {
        let esd = try linearESD(spikedGaussian(rows: 600, cols: 200, spikes: k, seed: 40 + UInt64(k)), rows: 600, cols: 200)
        let fit = try MPFitter.fit(esd.eigenvalues, Q: 3, M: 200).get()
        #expect(fit.numSpikes == k)
        #expect(esd.eigenvalues.filter { $0 > fit.spikeThreshold }.count == k)
    }

    /// The refined σ is at least as good as the reference grid's best point and within one grid
    /// step of it; with refinement off the grid's σ is reported.
    @Test func refinementImprovesOnTheGrid() throws {
        let esd = try linearESD(gaussians(400 * 200, seed: 9), rows: 400, cols: 200)
        let refined = try MPFitter.fit(esd.eigenvalues, Q: 2, M: 200).get()
        var settings = MPFitter.Settings()
        settings.refine = false
        let grid = try MPFitter.fit(esd.eigenvalues, Q: 2, M: 200, settings: settings).get()
        #expect(grid.sigma == grid.gridSigma && refined.gridSigma == grid.sigma)
        #expect(refined.objective <= grid.objective)
        let s0 = (esd.lambdaMax * refined.wScale * refined.wScale).squareRoot() / (1 + 1 / 2.0.squareRoot())
        #expect(abs(refined.sigma - grid.sigma) <= 0.01 * s0 + 1e-12)
    }

    /// The reference grid: numpy.arange(0.05·s0, 2·s0, 0.01·s0) has 195 points.
    @Test func referenceGrid() {
        let g = MPFitter.Objective.grid(lambdaMax: 4, Q: 4)
        let s0 = 2 / 1.5
        #expect(g.count == 195)
        #expect(abs(g[0] - 0.05 * s0) < 1e-15 && abs(g[194] - 1.99 * s0) < 1e-12)
    }

    @Test func failures() {
        #expect(MPFitter.fit([0, 0, 0], Q: 2, M: 3) == .failure(.emptySpectrum))
        #expect(MPFitter.fit([1, .nan], Q: 2, M: 2) == .failure(.nonFinite))
    }
}

@Suite struct RandomizationTests {
    let matrices = WeightMatrices(kind: .linear, shape: [60, 40], layout: .pytorch)

    /// A sin matrix (rank-structured) so that shuffling visibly changes the spectrum.
    func data() -> [Double] {
        (0..<2400).map { sin(0.37 * Double(($0 / 40) * ($0 % 40)) + 0.11 * Double($0 / 40)) }
    }

    @Test func reproducibleWithASeedAndDifferentAcrossSeeds() throws {
        let w = data()
        func rand(_ seed: UInt64) throws -> [Double] {
            try w.withUnsafeBufferPointer { try Randomization.esd(matrices, data: $0, convNorm: 0.5, seed: seed).eigenvalues }
        }
        let a = try rand(7), b = try rand(7), c = try rand(8)
        #expect(a == b)
        #expect(a != c)
        // Shuffling keeps the entries, hence ‖W‖_F² = Σλ.
        let frob = w.reduce(0) { $0 + $1 * $1 }
        #expect(abs(a.reduce(0, +) - frob) < 1e-9 * frob)
        #expect(abs(c.reduce(0, +) - frob) < 1e-9 * frob)
    }

    /// The shuffle is a permutation, and its first draws are pinned (a change of generator or
    /// algorithm would silently change every published randomised number).
    @Test func shuffleIsAPinnedPermutation() {
        var values = (0..<10).map(Double.init)
        var g = SplitMix64(seed: 42)
        Randomization.shuffle(&values, using: &g)
        #expect(values.sorted() == (0..<10).map(Double.init))
        var again = (0..<10).map(Double.init)
        var g2 = SplitMix64(seed: 42)
        Randomization.shuffle(&again, using: &g2)
        #expect(values == again)
        var first = SplitMix64(seed: 0)
        #expect(first.next() == 0xE220_A839_7B1D_CDAF)
    }

    /// Layer seeds depend on the run seed and the name only.
    @Test func layerSeeds() {
        #expect(Randomization.layerSeed(1, name: "a") == Randomization.layerSeed(1, name: "a"))
        #expect(Randomization.layerSeed(1, name: "a") != Randomization.layerSeed(2, name: "a"))
        #expect(Randomization.layerSeed(1, name: "a") != Randomization.layerSeed(1, name: "b"))
    }

    /// WeightWatcher's `jensen_shannon_distance` (scipy.stats.entropy) on two vector pairs,
    /// computed with WeightWatcher 0.7.7 itself.
    @Test func sortedVectorDistanceMatchesWeightWatcher() throws {
        let d1 = try #require(Randomization.sortedVectorDistance([1, 2, 3, 4], [2, 2, 2, 2]))
        #expect(abs(d1 - 0.16794888874891561) < 1e-15)
        let d2 = try #require(Randomization.sortedVectorDistance([0.5, 1, 3, 10], [1, 1.5, 2, 3]))
        #expect(abs(d2 - 0.2431280486958428) < 1e-15)
        #expect(Randomization.sortedVectorDistance([1, 2], [1, 2, 3]) == nil)
    }

    /// The density distance: 0 for identical spectra, √ln 2 for disjoint ones, symmetric.
    @Test func densityDistanceBounds() throws {
        let a = [1.0, 2, 3, 4, 5], b = [100.0, 200, 300]
        #expect(Randomization.densityDistance(a, a) == 0)
        let d = try #require(Randomization.densityDistance(a, b))
        #expect(abs(d - log(2).squareRoot()) < 1e-12)
        #expect(Randomization.densityDistance(a, b) == Randomization.densityDistance(b, a))
        #expect(Randomization.densityDistance([0, 0], a) == nil)
    }
}

@Suite struct FARMSTests {
    /// The reference's LLM setting on a 4096 × 11008 layer: r = 2000, Q = 1, 10 positions per
    /// dimension, steps (4096 − 2000)/9 = 232 and (11008 − 2000)/9 = 1000.
    @Test func windowGridOfTheReference() throws {
        let w = try #require(FARMS.windows(rows: 4096, cols: 11008, settings: FARMSSettings()))
        #expect(w.rows == 2000 && w.cols == 2000)
        #expect(w.rowStarts == (0..<10).map { $0 * 232 })
        #expect(w.colStarts == (0..<10).map { $0 * 1000 })
        #expect(w.count == 100)
    }

    /// Small and awkward shapes: r capped by the rows, shrunk so that ⌊r·Q⌋ fits the columns;
    /// fewer positions when the matrix is barely larger than the window; one position for ops = 1.
    @Test func smallShapes() throws {
        let square = try #require(FARMS.windows(rows: 384, cols: 384, settings: FARMSSettings()))
        #expect(square.rows == 384 && square.count == 1)
        let wide = try #require(FARMS.windows(rows: 384, cols: 1536, settings: FARMSSettings()))
        #expect(wide.rows == 384 && wide.colStarts == (0..<10).map { $0 * 128 })
        let q2 = try #require(FARMS.windows(rows: 100, cols: 150, settings: FARMSSettings(rows: 2000, q: 2, ops: 10)))
        #expect(q2.rows == 75 && q2.cols == 150 && q2.colStarts == [0])
        #expect(q2.rowStarts == (0..<10).map { $0 * 2 })   // step (100 − 75)/9 = 2
        let narrow = try #require(FARMS.windows(rows: 12, cols: 10, settings: FARMSSettings(rows: 10, q: 1, ops: 10)))
        #expect(narrow.rowStarts == [0, 1, 2] && narrow.colStarts == [0])
        let one = try #require(FARMS.windows(rows: 50, cols: 50, settings: FARMSSettings(rows: 20, q: 1, ops: 1)))
        #expect(one.count == 1)
        #expect(FARMS.windows(rows: 3, cols: 1, settings: FARMSSettings(rows: 5, q: 2, ops: 3)) == nil)
    }

    /// The pooled spectrum is the union of the windows' squared singular values (computed here
    /// window by window with dgesdd), scaled by conv_norm for conv2d.
    @Test func pooledSpectrumIsTheUnionOfTheWindows() throws {
        let rows = 30, cols = 45
        let w = gaussians(rows * cols, seed: 5)
        let settings = FARMSSettings(rows: 10, q: 1.5, ops: 3)
        let m = WeightMatrices(kind: .linear, shape: [rows, cols], layout: .pytorch)
        let s = try #require(try w.withUnsafeBufferPointer { try FARMS.spectrum(m, data: $0, convNorm: 0.5, settings: settings) })
        let grid = try #require(FARMS.windows(rows: rows, cols: cols, settings: settings))
        var expected: [Double] = []
        for r0 in grid.rowStarts { for c0 in grid.colStarts {
            var sub: [Double] = []
            for i in 0..<grid.rows { sub += w[((r0 + i) * cols + c0)..<((r0 + i) * cols + c0 + grid.cols)] }
            expected += try SingularValues.values(sub, rows: grid.rows, cols: grid.cols).map { $0 * $0 }
        } }
        expected.sort()
        #expect(s.windowCount == 9 && s.eigenvalues.count == expected.count)
        for (a, b) in zip(s.eigenvalues, expected) { #expect(abs(a - b) < 1e-10 * max(1, b)) }
    }
}
