import ComplexNumbers
import Testing
@testable import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

@Suite struct HermitianEigenTests {
    init() { BLASThreads.set(1) }

    /// A deterministic complex row-major matrix with entries in the unit square around 0.
    static func matrix(rows: Int, cols: Int, seed: UInt64) -> [Complex<Double>] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        return (0..<(rows * cols)).map { _ in Complex(uniform(), uniform()) }
    }

    /// The Householder reflector `I − 2vvᴴ/(vᴴv)` (unitary) of order `n`, row-major.
    static func reflector(_ n: Int, seed: UInt64) -> [Complex<Double>] {
        let v = matrix(rows: n, cols: 1, seed: seed)
        let norm2 = v.reduce(0) { $0 + $1.re * $1.re + $1.im * $1.im }
        return (0..<(n * n)).map { at in
            let i = at / n, j = at % n
            // v_i · conj(v_j)
            let p = Complex(v[i].re * v[j].re + v[i].im * v[j].im, v[i].im * v[j].re - v[i].re * v[j].im)
            return Complex((i == j ? 1 : 0) - 2 * p.re / norm2, -2 * p.im / norm2)
        }
    }

    static func product(_ a: [Complex<Double>], _ b: [Complex<Double>], m: Int, k: Int, n: Int) -> [Complex<Double>] {
        (0..<(m * n)).map { at in
            let i = at / n, j = at % n
            var re = 0.0, im = 0.0
            for l in 0..<k {
                let x = a[i * k + l], y = b[l * n + j]
                re += x.re * y.re - x.im * y.im
                im += x.re * y.im + x.im * y.re
            }
            return Complex(re, im)
        }
    }

    /// W = U·D·V with U, V unitary reflectors and D the rectangular diagonal of known singular
    /// values: the Gram eigenvalues are their squares, whichever side is smaller.
    @Test(arguments: [(6, 4), (4, 6), (5, 5), (20, 20), (1, 3)])
    func knownSingularValues(shape: (Int, Int)) throws {
        let (rows, cols) = shape, n = min(rows, cols)
        let s = (0..<n).map { 0.25 + 1.5 * Double($0) }
        var d = [Complex<Double>](repeating: .zero, count: rows * cols)
        for i in 0..<n { d[i * cols + i] = Complex(s[i]) }
        let u = Self.reflector(rows, seed: 3), v = Self.reflector(cols, seed: 5)
        let w = Self.product(Self.product(u, d, m: rows, k: rows, n: cols), v, m: rows, k: cols, n: cols)
        let ev = try HermitianEigen.gramEigenvalues(w, rows: rows, cols: cols)
        let expected = s.map { $0 * $0 }.sorted()
        #expect(ev.count == n)
        #expect(zip(ev, expected).allSatisfy { abs($0 - $1) < 1e-12 * expected.last! })
    }

    /// Against the SVD of the real embedding [[Re W, −Im W], [Im W, Re W]], whose singular
    /// values are W's, each twice: random tall, wide and square matrices.
    @Test(arguments: [(20, 20), (30, 12), (12, 30), (7, 1), (1, 7)])
    func matchesTheRealEmbedding(shape: (Int, Int)) throws {
        let (rows, cols) = shape
        let w = Self.matrix(rows: rows, cols: cols, seed: UInt64(rows * 100 + cols))
        var e = [Double](repeating: 0, count: 4 * rows * cols)
        for i in 0..<rows {
            for o in 0..<cols {
                let z = w[i * cols + o]
                e[i * 2 * cols + o] = z.re
                e[i * 2 * cols + cols + o] = -z.im
                e[(rows + i) * 2 * cols + o] = z.im
                e[(rows + i) * 2 * cols + cols + o] = z.re
            }
        }
        let sv = try SingularValues.values(e, rows: 2 * rows, cols: 2 * cols).map { $0 * $0 }.sorted()
        let reference = stride(from: 1, to: sv.count, by: 2).map { sv[$0] }
        let ev = try HermitianEigen.gramEigenvalues(w, rows: rows, cols: cols)
        #expect(ev.count == min(rows, cols))
        #expect(zip(ev, reference).allSatisfy { abs($0 - $1) < 1e-12 * reference.last! })
        // The imaginary parts matter: dropping them (a real matrix) changes the spectrum.
        let realOnly = try HermitianEigen.gramEigenvalues(w.map { Complex($0.re) }, rows: rows, cols: cols)
        #expect(zip(realOnly, reference).contains { abs($0 - $1) > 1e-6 * reference.last! })
    }

    /// Empty matrices give no eigenvalues; a zero matrix gives zeros.
    @Test func degenerate() throws {
        #expect(try HermitianEigen.gramEigenvalues([], rows: 0, cols: 4).isEmpty)
        #expect(try HermitianEigen.gramEigenvalues([], rows: 3, cols: 0).isEmpty)
        let zero = try HermitianEigen.gramEigenvalues([Complex<Double>](repeating: .zero, count: 6), rows: 2, cols: 3)
        #expect(zero == [0, 0])
    }
}
