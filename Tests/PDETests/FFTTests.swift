import ComplexNumbers
import Foundation
import Random
import Parallel
import Testing
@testable import PDE

/// The half spectrum by the O(N²) definition `X[k] = Σ_j x[j] exp(−2πi Σ_d j_d k_d / n_d)`.
func directHalfSpectrum(_ x: [Double], shape: [Int]) -> [Complex<Double>] {
    let r = shape.count
    let half = shape.dropLast() + [shape[r - 1] / 2 + 1]
    func multi(_ flat: Int, _ dims: [Int]) -> [Int] {
        var f = flat, idx = [Int](repeating: 0, count: dims.count)
        for d in stride(from: dims.count - 1, through: 0, by: -1) { idx[d] = f % dims[d]; f /= dims[d] }
        return idx
    }
    let nk = half.reduce(1, *), nx = shape.reduce(1, *)
    return (0..<nk).map { kf in
        let k = multi(kf, Array(half))
        var s = Complex<Double>.zero
        for jf in 0..<nx {
            let j = multi(jf, shape)
            var phase = 0.0
            for d in 0..<r { phase += Double(j[d] * k[d]) / Double(shape[d]) }
            s += Complex.unit(angle: -2 * .pi * phase) * x[jf]
        }
        return s
    }
}

func maxAbsDifference(_ a: [Complex<Double>], _ b: [Complex<Double>]) -> Double {
    #expect(a.count == b.count, "compared arrays of \(a.count) and \(b.count) values")
    return zip(a, b).map { ($0 - $1).magnitude }.max() ?? 0
}

struct FFTTests {
    var rng = SplitMix64(seed: 7)

    /// FFTW's r2c equals the direct DFT on odd, even, 1-D and 2-D shapes; the only
    /// difference is rounding (≈ log N · ε · Σ|x|), far below 1e-12 for these sizes.
    @Test(arguments: [[1], [2], [7], [16], [3, 5], [4, 6], [8, 8], [5, 4, 3]])
    mutating func forwardMatchesDirectDFT(shape: [Int]) throws {
        let fft = try RealFFT<Double>(shape: shape)
        let x = (0..<fft.realCount).map { _ in rng.normal() }
        let got = fft.forward(x)
        #expect(got.count == fft.spectrumCount)
        #expect(maxAbsDifference(got, directHalfSpectrum(x, shape: shape)) < 1e-12)
    }

    /// `inverse(forward(x)) == x` (numpy convention) and the raw FFTW inverse returns N·x.
    @Test(arguments: [[9], [12], [6, 10], [7, 3]])
    mutating func roundTrip(shape: [Int]) throws {
        let fft = try RealFFT<Double>(shape: shape, batch: 3)
        let x = (0..<(3 * fft.realCount)).map { _ in rng.normal() }
        let spectrum = fft.forward(x)
        let back = fft.inverse(spectrum)
        #expect(back.count == x.count)
        #expect(zip(back, x).allSatisfy { abs($0 - $1) < 1e-13 })
        let raw = fft.inverseUnnormalized(spectrum)
        let n = Double(fft.realCount)
        #expect(raw.count == x.count)
        #expect(zip(raw, x).allSatisfy { abs($0 - n * $1) < 1e-12 * n })
    }

    /// Parseval on the half spectrum: Σ|x|² = (1/N) Σ_k w_k |X_k|², with weight 2 for the last
    /// axis' frequencies that stand for a conjugate pair (all but 0 and, for even n, n/2).
    @Test(arguments: [[10], [11], [6, 9], [8, 4]])
    mutating func parseval(shape: [Int]) throws {
        let fft = try RealFFT<Double>(shape: shape)
        let x = (0..<fft.realCount).map { _ in rng.normal() }
        let X = fft.forward(x)
        let nLast = shape.last!, hLast = nLast / 2 + 1
        var energy = 0.0
        for (i, z) in X.enumerated() {
            let k = i % hLast
            let paired = k != 0 && !(nLast % 2 == 0 && k == nLast / 2)
            energy += (paired ? 2 : 1) * z.normSquared
        }
        energy /= Double(fft.realCount)
        let direct = x.reduce(0) { $0 + $1 * $1 }
        #expect(abs(energy - direct) < 1e-12 * direct)
    }

    /// Known transforms: cos(2π(2i/8 + 3j/12)) on an 8×12 grid has two spectral lines of height
    /// N/2 = 48, at (2, 3) and (−2, −3) ≡ (6, 9); only (2, 3) lies in the half spectrum.
    @Test func knownTransforms() throws {
        let fft = try RealFFT<Double>(shape: [8, 12])
        var x = [Double](repeating: 0, count: 96)
        for i in 0..<8 { for j in 0..<12 { x[i * 12 + j] = cos(2 * .pi * (2 * Double(i) / 8 + 3 * Double(j) / 12)) } }
        let X = fft.forward(x)
        for (index, z) in X.enumerated() {
            let expected = index == 2 * 7 + 3 ? 48.0 : 0.0
            #expect(abs(z.re - expected) < 1e-12 && abs(z.im) < 1e-12, "index \(index): \(z)")
        }
        // A constant maps to N at frequency 0; a unit impulse at 0 to all ones.
        let ones = try RealFFT<Double>(shape: [5]).forward([2, 2, 2, 2, 2])
        #expect(abs(ones[0].re - 10) < 1e-14 && ones.dropFirst().allSatisfy { $0.magnitude < 1e-14 })
        let impulse = try RealFFT<Double>(shape: [6]).forward([1, 0, 0, 0, 0, 0])
        #expect(impulse.allSatisfy { abs($0.re - 1) < 1e-15 && abs($0.im) < 1e-15 })
    }

    /// A batch of transforms equals transforming each array on its own.
    @Test mutating func batchEqualsSeparateTransforms() throws {
        let batched = try RealFFT<Double>(shape: [4, 6], batch: 5)
        let single = try RealFFT<Double>(shape: [4, 6])
        let x = (0..<(5 * 24)).map { _ in rng.normal() }
        let X = batched.forward(x)
        for b in 0..<5 {
            let one = single.forward(Array(x[(b * 24)..<((b + 1) * 24)]))
            #expect(Array(X[(b * single.spectrumCount)..<((b + 1) * single.spectrumCount)]) == one)
        }
    }

    /// Single precision agrees with double to float rounding (≈ 1e-6 relative here).
    @Test mutating func singlePrecision() throws {
        let x = (0..<(3 * 40)).map { _ in rng.normal() }
        let d = try RealFFT<Double>(shape: [5, 8], batch: 3).forward(x)
        let fft = try RealFFT<Float>(shape: [5, 8], batch: 3)
        let f = fft.forward(x.map { Float($0) })
        let scale = d.map(\.magnitude).max()!
        #expect(f.count == d.count)
        #expect(zip(f, d).allSatisfy { abs(Double($0.re) - $1.re) < 1e-5 * scale && abs(Double($0.im) - $1.im) < 1e-5 * scale })
        let back = fft.inverse(f)
        #expect(back.count == x.count)
        #expect(zip(back, x).allSatisfy { abs(Double($0) - $1) < 1e-5 })
    }

    /// Unaligned buffers (offset by one scalar) take the FFTW_UNALIGNED plan and give the same
    /// values as aligned ones.
    @Test mutating func unalignedBuffers() throws {
        let fft = try RealFFT<Double>(shape: [16])
        let x = (0..<17).map { _ in rng.normal() }
        var out = [Complex<Double>](repeating: .zero, count: 10)
        x.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in fft.forward(p.baseAddress! + 1, into: o.baseAddress! + 1) }
        }
        #expect(Array(out[1...]) == fft.forward(Array(x[1...])))
    }

    /// Plans are made once per shape: creating the same transform again adds no plan. Counts
    /// only this shape's plans (forward and inverse, aligned and not: four), since other tests
    /// plan other shapes concurrently in the shared cache.
    @Test func plansAreReused() throws {
        let shape = [13, 17], batch = 2
        func count() -> Int {
            FFTPlanCache.shared.planCount { $0.shape == shape && $0.batch == batch && $0.precision == .double }
        }
        _ = try RealFFT<Double>(shape: shape, batch: batch)
        #expect(count() == 4)
        for _ in 0..<5 { _ = try RealFFT<Double>(shape: shape, batch: batch) }
        #expect(count() == 4)
        let again = try FFTPlanCache.shared.plan(.init(precision: .double, kind: .realToComplex, shape: shape,
                                                       batch: batch, aligned: true, rigor: .estimate))
        let first = try FFTPlanCache.shared.plan(.init(precision: .double, kind: .realToComplex, shape: shape,
                                                       batch: batch, aligned: true, rigor: .estimate))
        #expect(again === first)
    }

    /// Concurrent planning and execution from many threads gives the serial results.
    @Test func threadSafety() throws {
        let shapes = [[8], [9, 4], [6, 6], [10], [3, 7]]
        let results = ResultSlots<Double>(count: 40)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            var g = SplitMix64(seed: UInt64(i))
            let shape = shapes[i % shapes.count]
            let fft = try! RealFFT<Double>(shape: shape)
            let x = (0..<fft.realCount).map { _ in g.normal() }
            results.store(maxAbsDifference(fft.forward(x), directHalfSpectrum(x, shape: shape)), at: i)
        }
        #expect(results.filled == 40 && results.values.allSatisfy { ($0 ?? .infinity) < 1e-12 })
    }

    @Test func invalidShapesThrow() {
        #expect(throws: FFTError.self) { try RealFFT<Double>(shape: []) }
        #expect(throws: FFTError.self) { try RealFFT<Double>(shape: [4, 0]) }
        #expect(throws: FFTError.self) { try RealFFT<Float>(shape: [4], batch: 0) }
        #expect(throws: FFTError.self) { try RealFFT<Double>(shape: [1 << 20, 1 << 12]) }
    }

    /// The DCT-III matches its definition Y_k = X_0 + 2 Σ_{j≥1} X_j cos(π j (k+½)/n) per axis.
    @Test mutating func cosineTransformIII() throws {
        let n = 6, m = 5
        let x = (0..<(n * m)).map { _ in rng.normal() }
        let y = try CosineTransform<Double>(shape: [n, m]).typeIII(x)
        for k1 in 0..<n {
            for k2 in 0..<m {
                var s = 0.0
                for j1 in 0..<n {
                    for j2 in 0..<m {
                        let w1 = j1 == 0 ? 1.0 : 2 * cos(.pi * Double(j1) * (Double(k1) + 0.5) / Double(n))
                        let w2 = j2 == 0 ? 1.0 : 2 * cos(.pi * Double(j2) * (Double(k2) + 0.5) / Double(m))
                        s += x[j1 * m + j2] * w1 * w2
                    }
                }
                #expect(abs(y[k1 * m + k2] - s) < 1e-12)
            }
        }
    }

    /// Complex is two consecutive scalars, as FFTW's fftw_complex.
    @Test func complexLayout() {
        #expect(MemoryLayout<Complex<Double>>.stride == 16)
        #expect(MemoryLayout<Complex<Float>>.stride == 8)
    }
}


/// Gradient checks (central finite differences in Double, step 1e-6, agreement 1e-7 relative
/// to the gradient's scale) of the FFT adjoints that an FNO's backward pass uses, on odd and
/// even last axes, with batches and non-Hermitian spectra.
struct FFTAdjointTests {
    @Test(arguments: [[7], [8], [4, 6], [5, 3]])
    func forwardAdjointMatchesFiniteDifferences(shape: [Int]) throws {
        var rng = SplitMix64(seed: 21)
        let fft = try RealFFT<Double>(shape: shape, batch: 2)
        let x = (0..<(2 * fft.realCount)).map { _ in rng.normal() }
        let a = (0..<(2 * fft.spectrumCount)).map { _ in rng.normal() }, b = a.map { _ in rng.normal() }
        // L(x) = Σ a_k (Re X_k)² + b_k Im X_k, so G = 2 a Re X + i b.
        func loss(_ x: [Double]) -> Double {
            let X = fft.forward(x)
            var s = 0.0
            for k in X.indices { s += a[k] * X[k].re * X[k].re + b[k] * X[k].im }
            return s
        }
        let X = fft.forward(x)
        let grad = fft.forwardAdjoint((0..<X.count).map { Complex(2 * a[$0] * X[$0].re, b[$0]) })
        let h = 1e-6
        let scale = grad.map(abs).max()!
        for j in x.indices {
            var p = x, m = x
            p[j] += h; m[j] -= h
            #expect(abs((loss(p) - loss(m)) / (2 * h) - grad[j]) < 1e-7 * scale, "x[\(j)]")
        }
    }

    @Test(arguments: [[7], [8], [4, 6], [5, 3]])
    func inverseAdjointMatchesFiniteDifferences(shape: [Int]) throws {
        var rng = SplitMix64(seed: 22)
        let fft = try RealFFT<Double>(shape: shape, batch: 2)
        let X = (0..<(2 * fft.spectrumCount)).map { _ in Complex(rng.normal(), rng.normal()) }   // not Hermitian
        let c = (0..<(2 * fft.realCount)).map { _ in rng.normal() }
        // L(y) = Σ c_j y_j², y = inverse(X).
        func loss(_ X: [Complex<Double>]) -> Double {
            let y = fft.inverse(X)
            var s = 0.0
            for j in y.indices { s += c[j] * y[j] * y[j] }
            return s
        }
        let y = fft.inverse(X)
        let G = fft.inverseAdjoint(zip(y, c).map { 2 * $0 * $1 })
        let h = 1e-6
        let scale = G.map(\.magnitude).max()!
        for k in X.indices {
            for imaginary in [false, true] {
                var p = X, m = X
                if imaginary { p[k].im += h; m[k].im -= h } else { p[k].re += h; m[k].re -= h }
                let fd = (loss(p) - loss(m)) / (2 * h)
                #expect(abs(fd - (imaginary ? G[k].im : G[k].re)) < 1e-7 * scale, "X[\(k)] \(imaginary ? "im" : "re")")
            }
        }
    }
}
