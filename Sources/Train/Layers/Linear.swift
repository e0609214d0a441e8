/// A fully connected layer, PyTorch's `nn.Linear`: `y = x · Wᵀ + b`.
///
/// Shapes (row-major): x [B, I], W [O, I] (PyTorch's layout), b [O], y [B, O].
/// Forward is one `gemm`; backward is two (`dx = dy · W`, `dW += dyᵀ · x`) plus a column sum.
/// Parameter gradients accumulate (`+=`), so call sites zero them once per step; `dx` is overwritten.
public enum Linear {
    /// y [B, O] = x [B, I] · W [O, I]ᵀ + b [O]  (b optional).
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>,
                                               weight w: UnsafePointer<T>, bias b: UnsafePointer<T>?,
                                               batch B: Int, inputs I: Int, outputs O: Int) {
        if let b {
            for r in 0..<B { (y + r * O).update(from: b, count: O) }
        }
        T.gemm(transA: false, transB: true, m: B, n: O, k: I, alpha: 1, a: x, lda: I, b: w, ldb: I,
               beta: b == nil ? 0 : 1, c: y, ldc: O)
    }

    /// dx [B, I] = dy [B, O] · W [O, I] (when dx is given); dW [O, I] += dyᵀ · x; db [O] += Σ_rows dy.
    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(dx: UnsafeMutablePointer<T>?, dWeight dw: UnsafeMutablePointer<T>,
                                                dBias db: UnsafeMutablePointer<T>?, dy: UnsafePointer<T>,
                                                x: UnsafePointer<T>, weight w: UnsafePointer<T>,
                                                batch B: Int, inputs I: Int, outputs O: Int) {
        if let dx {
            T.gemm(transA: false, transB: false, m: B, n: I, k: O, alpha: 1, a: dy, lda: O, b: w, ldb: I,
                   beta: 0, c: dx, ldc: I)
        }
        T.gemm(transA: true, transB: false, m: O, n: I, k: B, alpha: 1, a: dy, lda: O, b: x, ldb: I,
               beta: 1, c: dw, ldc: I)
        if let db {
            for r in 0..<B {
                let row = dy + r * O
                for o in 0..<O { db[o] += row[o] }
            }
        }
    }
}
