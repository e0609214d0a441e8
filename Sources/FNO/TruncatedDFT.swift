import ComplexNumbers
import Foundation
import PDE
import Train

/// The real DFT of an FNO's spectral layer restricted to its retained modes, and its inverse, as
/// matrix products — the same values as `RealFFT` followed by `SpectralCorners.extract` (and
/// `insert` followed by the normalised inverse) without computing the frequencies the layer
/// discards.
///
/// Shapes: a real array of shape `[n]` or `[n₁, n]` (row-major), `rows` = n₁ (1 for 1-D). The
/// retained modes are `SpectralCorners(shape, modes)`: last-axis frequencies `0 ..< m`, and
/// (2-D) first-axis frequencies `f_r`, r ∈ 0 ..< R, R = 2m₁, in corner order (`0 ..< m₁`, then
/// `n₁−m₁ ..< n₁`). Mode `k = r·m + κ` is `SpectralCorners`' block index. A batch of P arrays
/// `[P][rows][n]` maps to mode-major blocks `[k][P]` (what the layer's per-mode channel products
/// read: p = b·C + c).
///
/// Two separable stages, each one gemm (`P` arrays at once):
///
///     forward:  A[p, j, κ] = Σ_l x[p, j, l] · e^{−2πi lκ/n}          (real gemm, [P·rows × n]·[n × 2m])
///               X[r, p, κ] = Σ_j e^{−2πi f_r j/n₁} · A[p, j, κ]       (complex gemm, [R × rows]·[rows × P·m])
///     inverse:  U[p, j, κ] = Σ_r e^{+2πi f_r j/n₁} · Z[r, p, κ]
///               y[p, j, l] = (1/N) Σ_κ w_κ · Re(U[p, j, κ] · e^{+2πi lκ/n})   (N = rows·n)
///
/// with w_κ = 1 at the self-conjugate frequencies (κ = 0, and n/2 for even n) and 2 elsewhere:
/// exactly FFTW's (and `torch.fft.irfftn`'s) complex-to-real transform of the half spectrum that
/// holds Z on the corners and 0 elsewhere, including its treatment of non-Hermitian input (the
/// imaginary part at κ = 0 and n/2 is ignored after the first-axis stage). `forwardAdjoint` and
/// `inverseAdjoint` are the transposes of these real-linear maps (gradients through them, with
/// G = ∂L/∂Re + i ∂L/∂Im): the same gemms with the operands transposed or conjugate-transposed.
///
/// Cost per array: 2·rows·n·2m + 8·R·rows·m flops each way (Darcy's 34 × 34, m = 12: 0.16 Mflop),
/// against FFTW's full 34 × 34 transform at a size with the factor 17. Scratch for `maxCount`
/// arrays is owned here; not thread-safe.
final class TruncatedDFT<T: FNOScalar> {
    let rows: Int
    let n: Int
    let m: Int
    /// First-axis frequencies in corner order (2-D), or [0] (1-D).
    let rowFrequencies: [Int]
    let maxCount: Int
    /// [n × 2m]: columns cos(2πlκ/n), −sin(2πlκ/n).
    let lastForward: UnsafeMutablePointer<T>
    /// [2m × n]: rows w_κ·cos(2πlκ/n)/N, −w_κ·sin(2πlκ/n)/N.
    let lastInverse: UnsafeMutablePointer<T>
    /// [R × rows]: e^{−2πi f_r j/n₁} (2-D only).
    let firstForward: UnsafeMutablePointer<Complex<T>>
    /// Scratch: [P][rows][m] and [rows][P][m] (2-D), [R][P][m] complex.
    let stageA: UnsafeMutablePointer<Complex<T>>
    let stageT: UnsafeMutablePointer<Complex<T>>
    let stageR: UnsafeMutablePointer<Complex<T>>

    var R: Int { rowFrequencies.count }
    /// Retained modes per array (R·m), `SpectralCorners.count`.
    var modeCount: Int { R * m }

    /// - Precondition: `corners` of a 1-D or 2-D shape; `maxCount ≥ 1`.
    init(corners: SpectralCorners, maxCount: Int) {
        let shape = corners.shape, modes = corners.modes
        precondition((1...2).contains(shape.count) && maxCount > 0, "TruncatedDFT: 1-D or 2-D shapes")
        let rows = shape.count == 2 ? shape[0] : 1, n = shape.last!, m = modes.last!
        self.rows = rows
        self.n = n
        self.m = m
        if shape.count == 2 {
            let m1 = modes[0]
            rowFrequencies = (0..<(2 * m1)).map { $0 < m1 ? $0 : rows - 2 * m1 + $0 }
        } else {
            rowFrequencies = [0]
        }
        self.maxCount = maxCount
        let N = Double(rows * n)
        /// e^{−2πi·(a·b mod len)/len} without the rounding of a large angle.
        func twiddle(_ a: Int, _ b: Int, _ len: Int) -> (cos: Double, sin: Double) {
            let angle = 2 * Double.pi * Double((a * b) % len) / Double(len)
            return (cos(angle), sin(angle))
        }
        lastForward = .allocate(capacity: n * 2 * m)
        lastInverse = .allocate(capacity: 2 * m * n)
        for l in 0..<n {
            for k in 0..<m {
                let t = twiddle(l, k, n)
                let w: Double = (k == 0 || (n % 2 == 0 && k == n / 2)) ? 1 : 2
                lastForward[l * 2 * m + 2 * k] = T(t.cos)
                lastForward[l * 2 * m + 2 * k + 1] = T(-t.sin)
                lastInverse[(2 * k) * n + l] = T(w * t.cos / N)
                lastInverse[(2 * k + 1) * n + l] = T(-w * t.sin / N)
            }
        }
        let R = rowFrequencies.count
        firstForward = .allocate(capacity: R * rows)
        for (r, f) in rowFrequencies.enumerated() {
            for j in 0..<rows {
                let t = twiddle(f, j, rows)
                firstForward[r * rows + j] = Complex(T(t.cos), T(-t.sin))
            }
        }
        stageA = .allocate(capacity: maxCount * rows * m)
        stageT = .allocate(capacity: rows > 1 ? maxCount * rows * m : 1)
        stageR = rows > 1 ? .allocate(capacity: maxCount * R * m) : stageA
    }

    deinit {
        lastForward.deallocate(); lastInverse.deallocate(); firstForward.deallocate()
        stageA.deallocate(); stageT.deallocate()
        if rows > 1 { stageR.deallocate() }
    }

    private func real(_ p: UnsafeMutablePointer<Complex<T>>) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
    }

    /// [P][rows][m] ↔ [rows][P][m] (`toRowMajor`: the first to the second).
    private func transpose(count P: Int, toRowMajor: Bool) {
        let a = stageA, t = stageT, m = m, rows = rows
        for p in 0..<P {
            for j in 0..<rows {
                let ai = a + (p * rows + j) * m, ti = t + (j * P + p) * m
                if toRowMajor { ti.update(from: ai, count: m) } else { ai.update(from: ti, count: m) }
            }
        }
    }

    /// blocks [k][P] ↔ stageR [R][P][m], k = r·m + κ.
    private func blocks(_ blocks: UnsafeMutablePointer<Complex<T>>, count P: Int, gather: Bool) {
        let s = stageR, m = m
        for r in 0..<R {
            for p in 0..<P {
                let sr = s + (r * P + p) * m, b = blocks + r * m * P + p
                if gather { for k in 0..<m { b[k * P] = sr[k] } } else { for k in 0..<m { sr[k] = b[k * P] } }
            }
        }
    }

    /// Real arrays [P][rows][n] → blocks [k][P]: the last axis through `last` ([n × 2m], or a
    /// [2m × n] matrix used transposed), then the first axis' forward DFT.
    private func toBlocks(_ x: UnsafePointer<T>, count P: Int, last: UnsafePointer<T>, transposed: Bool,
                          into out: UnsafeMutablePointer<Complex<T>>) {
        precondition(P > 0 && P <= maxCount)
        T.gemm(transA: false, transB: transposed, m: P * rows, n: 2 * m, k: n, alpha: 1, a: x, lda: n, b: last,
               ldb: transposed ? n : 2 * m, beta: 0, c: real(stageA), ldc: 2 * m)
        if rows > 1 {
            transpose(count: P, toRowMajor: true)
            T.complexGemm(.plain, .plain, m: R, n: P * m, k: rows, a: firstForward, lda: rows, b: stageT, ldb: P * m,
                          c: stageR, ldc: P * m, accumulate: false)
        }
        blocks(out, count: P, gather: true)
    }

    /// Blocks [k][P] → real arrays [P][rows][n]: the first axis' conjugate-transposed DFT, then
    /// the last axis through `last` ([2m × n], or an [n × 2m] matrix used transposed).
    private func fromBlocks(_ input: UnsafePointer<Complex<T>>, count P: Int, last: UnsafePointer<T>, transposed: Bool,
                            into y: UnsafeMutablePointer<T>) {
        precondition(P > 0 && P <= maxCount)
        blocks(UnsafeMutablePointer(mutating: input), count: P, gather: false)
        if rows > 1 {
            T.complexGemm(.adjoint, .plain, m: rows, n: P * m, k: R, a: firstForward, lda: rows, b: stageR, ldb: P * m,
                          c: stageT, ldc: P * m, accumulate: false)
            transpose(count: P, toRowMajor: false)
        }
        T.gemm(transA: false, transB: transposed, m: P * rows, n: n, k: 2 * m, alpha: 1, a: real(stageA), lda: 2 * m,
               b: last, ldb: transposed ? 2 * m : n, beta: 0, c: y, ldc: n)
    }

    /// blocks[k·P + p] = rfftn(x_p)[mode k] (unnormalised), for P arrays `x` [P][rows][n].
    func forward(_ x: UnsafePointer<T>, count P: Int, into out: UnsafeMutablePointer<Complex<T>>) {
        toBlocks(x, count: P, last: lastForward, transposed: false, into: out)
    }

    /// y_p = irfftn(the half spectrum with blocks on the corners and 0 elsewhere) (normalised
    /// by 1/N, c2r semantics), for P arrays y [P][rows][n].
    func inverse(_ input: UnsafePointer<Complex<T>>, count P: Int, into y: UnsafeMutablePointer<T>) {
        fromBlocks(input, count: P, last: lastInverse, transposed: false, into: y)
    }

    /// The transpose of `inverse`: given ∂L/∂y, the blocks G = ∂L/∂Re Z + i ∂L/∂Im Z
    /// (= (w/N)·rfftn(∂L/∂y) on the corners).
    func inverseAdjoint(_ dy: UnsafePointer<T>, count P: Int, into out: UnsafeMutablePointer<Complex<T>>) {
        toBlocks(dy, count: P, last: lastInverse, transposed: true, into: out)
    }

    /// The transpose of `forward`: given G = ∂L/∂Re X + i ∂L/∂Im X on the blocks,
    /// dx_p[j] = Re Σ_k G_k · e^{+2πi j·k/n} (the retained half-spectrum modes only).
    func forwardAdjoint(_ input: UnsafePointer<Complex<T>>, count P: Int, into dx: UnsafeMutablePointer<T>) {
        fromBlocks(input, count: P, last: lastForward, transposed: true, into: dx)
    }
}
