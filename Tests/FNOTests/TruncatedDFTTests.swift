import ComplexNumbers
import Foundation
import PDE
import Random
import Testing
@testable import FNO

/// `TruncatedDFT` (the spectral layers' transforms as gemms) against FFTW's full transforms
/// (`RealFFT` + `SpectralCorners`), in double precision, and its adjoints against the
/// transforms by the dot-product identity ⟨A x, g⟩ = ⟨x, Aᵀ g⟩ (real inner products, complex
/// values as (Re, Im) pairs).
@Suite struct TruncatedDFTTests {
    /// Shapes with even and odd sizes, the padded Darcy grid (34 = 2·17), the last axis' Nyquist
    /// frequency retained (m = n/2 + 1, self-conjugate), and 1-D.
    static let cases: [(shape: [Int], modes: [Int])] = [
        ([34, 34], [12, 12]), ([9, 8], [3, 5]), ([7, 11], [3, 6]), ([6, 10], [1, 2]), ([18], [10]), ([15], [8]), ([8], [1]),
    ]

    static func random(_ count: Int, _ rng: inout SeededRNG) -> [Double] { (0..<count).map { _ in rng.normal() } }

    static func complexRandom(_ count: Int, _ rng: inout SeededRNG) -> [Complex<Double>] {
        (0..<count).map { _ in Complex(rng.normal(), rng.normal()) }
    }

    static func dot(_ a: [Complex<Double>], _ b: [Complex<Double>]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0.re * $1.1.re + $1.0.im * $1.1.im }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test(arguments: 0..<cases.count) func forwardAndInverseAreFFTWsOnTheCorners(_ c: Int) throws {
        let (shape, modes) = Self.cases[c]
        let P = 5, corners = try SpectralCorners(shape: shape, modes: modes), M = corners.count, S = shape.reduce(1, *)
        let dft = TruncatedDFT<Double>(corners: corners, maxCount: P + 2)
        let fft = try RealFFT<Double>(shape: shape, batch: P)
        var rng = SeededRNG(seed: 16 + UInt64(c))
        let x = Self.random(P * S, &rng)

        // Forward: blocks [k][p] = rfftn(x_p)[corner offset k].
        let spectrum = fft.forward(x)
        var blocks = [Complex<Double>](repeating: .zero, count: M * P)
        dft.forward(x, count: P, into: &blocks)
        var worst = 0.0, scale = 0.0
        for p in 0..<P {
            for k in 0..<M {
                let want = spectrum[p * corners.spectrumCount + corners.offsets[k]]
                worst = max(worst, (blocks[k * P + p] - want).magnitude)
                scale = max(scale, want.magnitude)
            }
        }
        #expect(worst <= 1e-13 * scale, "\(shape) \(modes): forward differs from FFTW by \(worst) (scale \(scale))")

        // Inverse of a non-Hermitian Z on the corners (0 elsewhere) = FFTW's c2r / N.
        let z = Self.complexRandom(M * P, &rng)
        var half = [Complex<Double>](repeating: .zero, count: P * corners.spectrumCount)
        for p in 0..<P { for k in 0..<M { half[p * corners.spectrumCount + corners.offsets[k]] = z[k * P + p] } }
        let want = fft.inverse(half)
        var y = [Double](repeating: .nan, count: P * S)
        dft.inverse(z, count: P, into: &y)
        let err = zip(y, want).map { abs($0 - $1) }.max()!, size = want.map(abs).max()!
        #expect(err <= 1e-13 * max(size, 1e-300), "\(shape) \(modes): inverse differs from FFTW's c2r by \(err) (scale \(size))")
    }

    @Test(arguments: 0..<cases.count) func adjointsAreTheTransposes(_ c: Int) throws {
        let (shape, modes) = Self.cases[c]
        let P = 3, corners = try SpectralCorners(shape: shape, modes: modes), M = corners.count, S = shape.reduce(1, *)
        let dft = TruncatedDFT<Double>(corners: corners, maxCount: P)
        var rng = SeededRNG(seed: 40 + UInt64(c))
        let x = Self.random(P * S, &rng), g = Self.complexRandom(M * P, &rng)
        var fx = [Complex<Double>](repeating: .zero, count: M * P), ftg = [Double](repeating: 0, count: P * S)
        dft.forward(x, count: P, into: &fx)
        dft.forwardAdjoint(g, count: P, into: &ftg)
        let a = Self.dot(fx, g), b = Self.dot(x, ftg)
        #expect(abs(a - b) <= 1e-12 * max(abs(a), 1), "\(shape) \(modes): ⟨Fx, g⟩ = \(a), ⟨x, Fᵀg⟩ = \(b)")

        let z = Self.complexRandom(M * P, &rng), dy = Self.random(P * S, &rng)
        var iz = [Double](repeating: 0, count: P * S), itdy = [Complex<Double>](repeating: .zero, count: M * P)
        dft.inverse(z, count: P, into: &iz)
        dft.inverseAdjoint(dy, count: P, into: &itdy)
        let c1 = Self.dot(iz, dy), c2 = Self.dot(z, itdy)
        #expect(abs(c1 - c2) <= 1e-12 * max(abs(c1), 1e-3), "\(shape) \(modes): ⟨Iz, dy⟩ = \(c1), ⟨z, Iᵀdy⟩ = \(c2)")
    }

    /// Fewer arrays than the scratch holds reuse it without reading stale values (the same
    /// values up to the gemm's blocking).
    @Test func smallerBatchesAgreeWithFullOnes() throws {
        let shape = [12, 10], corners = try SpectralCorners(shape: shape, modes: [4, 5]), M = corners.count, S = 120
        let dft = TruncatedDFT<Double>(corners: corners, maxCount: 6)
        var rng = SeededRNG(seed: 7)
        let x = Self.random(6 * S, &rng)
        var all = [Complex<Double>](repeating: .zero, count: M * 6), two = [Complex<Double>](repeating: .zero, count: M * 2)
        dft.forward(x, count: 6, into: &all)
        dft.forward(Array(x[(4 * S)...]), count: 2, into: &two)
        var worst = 0.0
        for k in 0..<M {
            for p in 0..<2 { worst = max(worst, (two[k * 2 + p] - all[k * 6 + 4 + p]).magnitude) }
        }
        #expect(worst <= 1e-12, "2 arrays differ from the same arrays in a batch of 6 by \(worst)")
    }
}
