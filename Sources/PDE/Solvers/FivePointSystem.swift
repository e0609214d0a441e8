/// A symmetric positive definite five-point system on an `m × m` grid of unknowns (index
/// `p = i·m + j`), the finite-volume form of `−∇·(a∇u) = f` with `u = 0` outside the grid:
/// ```
/// (A u)_p = Σ_{faces f of p} T_f (u_p − u_{neighbour across f}),   u = 0 beyond the grid,
/// ```
/// where `T_f` are dimensionless face transmissibilities (the equation multiplied by `h²`).
/// `tx[(i)·m + j]` is the face between rows `i−1` and `i` (`i = 0 … m`, so rows `0` and `m` are
/// the two boundary faces) and `ty[i·(m+1) + j]` the face between columns `j−1` and `j`.
struct FivePointSystem {
    let m: Int
    let tx: [Double]
    let ty: [Double]
    let diagonal: [Double]

    init(m: Int, tx: [Double], ty: [Double]) {
        Swift.precondition(tx.count == (m + 1) * m && ty.count == m * (m + 1))
        self.m = m
        self.tx = tx
        self.ty = ty
        var d = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                d[i * m + j] = tx[i * m + j] + tx[(i + 1) * m + j] + ty[i * (m + 1) + j] + ty[i * (m + 1) + j + 1]
            }
        }
        diagonal = d
    }

    /// `out = A x`.
    func apply(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>) {
        tx.withUnsafeBufferPointer { tx in
            ty.withUnsafeBufferPointer { ty in
                diagonal.withUnsafeBufferPointer { d in
                    for i in 0..<m {
                        for j in 0..<m {
                            let p = i * m + j
                            var s = d[p] * x[p]
                            if i > 0 { s -= tx[i * m + j] * x[p - m] }
                            if i < m - 1 { s -= tx[(i + 1) * m + j] * x[p + m] }
                            if j > 0 { s -= ty[i * (m + 1) + j] * x[p - 1] }
                            if j < m - 1 { s -= ty[i * (m + 1) + j + 1] * x[p + 1] }
                            out[p] = s
                        }
                    }
                }
            }
        }
    }

    /// The pivots of the zero-fill incomplete Cholesky factorisation `M = (D + L) D⁻¹ (D + Lᵀ)`
    /// with `L` the strictly lower part of `A`: `D_p = A_pp − A_{p,p−m}²/D_{p−m} − A_{p,p−1}²/D_{p−1}`.
    /// Exists (all pivots positive) for this M-matrix.
    func incompleteCholeskyPivots() -> [Double] {
        var piv = diagonal
        for i in 0..<m {
            for j in 0..<m {
                let p = i * m + j
                if i > 0 { let a = tx[i * m + j]; piv[p] -= a * a / piv[p - m] }
                if j > 0 { let a = ty[i * (m + 1) + j]; piv[p] -= a * a / piv[p - 1] }
            }
        }
        return piv
    }

    /// `z = M⁻¹ r` for the incomplete Cholesky preconditioner: forward substitution
    /// `(D + L) y = r`, then back substitution `(D + Lᵀ) z = D y`.
    func applyPreconditioner(_ r: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>, pivots: UnsafePointer<Double>) {
        tx.withUnsafeBufferPointer { tx in
            ty.withUnsafeBufferPointer { ty in
                for i in 0..<m {
                    for j in 0..<m {
                        let p = i * m + j
                        var s = r[p]
                        if i > 0 { s += tx[i * m + j] * z[p - m] }
                        if j > 0 { s += ty[i * (m + 1) + j] * z[p - 1] }
                        z[p] = s / pivots[p]
                    }
                }
                for i in stride(from: m - 1, through: 0, by: -1) {
                    for j in stride(from: m - 1, through: 0, by: -1) {
                        let p = i * m + j
                        var s = 0.0
                        if i < m - 1 { s += tx[(i + 1) * m + j] * z[p + m] }
                        if j < m - 1 { s += ty[i * (m + 1) + j + 1] * z[p + 1] }
                        z[p] += s / pivots[p]
                    }
                }
            }
        }
    }
}
