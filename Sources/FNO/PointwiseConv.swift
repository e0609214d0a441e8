import Train

/// The FNO's 1×1 convolution (`nn.Conv1d(I, O, 1)` / `nn.Conv2d(I, O, 1)`, the reference's
/// `w0 … w3`), channels-first: a Linear layer applied at every grid point.
///
/// Shapes (row-major): x [B, I, S], W [O, I] (PyTorch stores [O, I, 1] or [O, I, 1, 1]; the same
/// values), b [O], y [B, O, S] with S the number of grid points.
///
///     y[b] = W · x[b] + b·1ᵀ                   (one gemm [O × I]·[I × S] per sample)
///     ∂x[b] (+)= Wᵀ · ∂y[b],   ∂W += Σ_b ∂y[b] · x[b]ᵀ,   ∂b += Σ_{b,s} ∂y[b, :, s]
public enum PointwiseConv {
    /// y = W·x + b, or y += W·x + b when `accumulate` (to add to the spectral branch).
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, weight w: UnsafePointer<T>,
                                               bias: UnsafePointer<T>, batch B: Int, inputs I: Int, outputs O: Int,
                                               points S: Int, accumulate: Bool) {
        for b in 0..<B {
            let yb = y + b * O * S
            T.gemm(transA: false, transB: false, m: O, n: S, k: I, alpha: 1, a: w, lda: I, b: x + b * I * S, ldb: S,
                   beta: accumulate ? 1 : 0, c: yb, ldc: S)
            for o in 0..<O {
                let row = yb + o * S, v = bias[o]
                for s in 0..<S { row[s] += v }
            }
        }
    }

    /// dx (+)= Wᵀ·dy (when given; added when `accumulateInput`), dW += Σ dy·xᵀ, db += Σ dy.
    public static func backward<T: TrainScalar>(dx: UnsafeMutablePointer<T>?, dWeight dw: UnsafeMutablePointer<T>,
                                                dBias db: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, x: UnsafePointer<T>,
                                                weight w: UnsafePointer<T>, batch B: Int, inputs I: Int, outputs O: Int,
                                                points S: Int, accumulateInput: Bool) {
        for b in 0..<B {
            let dyb = dy + b * O * S
            if let dx {
                T.gemm(transA: true, transB: false, m: I, n: S, k: O, alpha: 1, a: w, lda: I, b: dyb, ldb: S,
                       beta: accumulateInput ? 1 : 0, c: dx + b * I * S, ldc: S)
            }
            T.gemm(transA: false, transB: true, m: O, n: I, k: S, alpha: 1, a: dyb, lda: S, b: x + b * I * S, ldb: S,
                   beta: 1, c: dw, ldc: I)
            for o in 0..<O {
                let row = dyb + o * S
                var sum: T = 0
                for s in 0..<S { sum += row[s] }
                db[o] += sum
            }
        }
    }
}
