internal import CLapack

/// Eigenvalues of symmetric matrices and Gram matrices, in double precision.
public enum SymmetricEigen {
    /// All eigenvalues of the symmetric `n × n` matrix `a` (only its lower triangle, in
    /// column-major order, is read), ascending. `a` is overwritten.
    ///
    /// Uses `dsyevd` with `jobz = 'N'` (values only; LAPACK then runs the QR-free `dsterf`
    /// on the tridiagonal form). The workspace size is queried first (`lwork = -1`).
    ///
    /// - Throws: `LinearAlgebraError` with LAPACK's `info` if the reduction does not converge.
    public static func eigenvalues(symmetric a: inout [Double], n: Int) throws -> [Double] {
        precondition(a.count >= n * n, "matrix storage smaller than n × n")
        if n == 0 { return [] }
        var w = [Double](repeating: 0, count: n)
        var workQuery: Double = 0
        var iworkQuery: htsr_lapack_int = 0
        var info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd_work(htsr_LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "L")),
                                    htsr_lapack_int(n), ap.baseAddress, htsr_lapack_int(n), wp.baseAddress,
                                    &workQuery, -1, &iworkQuery, -1)
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dsyevd", info: info) }
        let lwork = max(1, Int(workQuery.rounded(.up)))
        let liwork = max(1, Int(iworkQuery))
        var work = [Double](repeating: 0, count: lwork)
        var iwork = [htsr_lapack_int](repeating: 0, count: liwork)
        info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                work.withUnsafeMutableBufferPointer { workp in
                    iwork.withUnsafeMutableBufferPointer { iworkp in
                        LAPACKE_dsyevd_work(htsr_LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "L")),
                                            htsr_lapack_int(n), ap.baseAddress, htsr_lapack_int(n), wp.baseAddress,
                                            workp.baseAddress, htsr_lapack_int(lwork),
                                            iworkp.baseAddress, htsr_lapack_int(liwork))
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dsyevd", info: info) }
        return w
    }

    /// The Gram matrix of the smaller side of a row-major `rows × cols` matrix `W`:
    /// `WᵀW` (`cols × cols`) when `rows ≥ cols`, else `WWᵀ` (`rows × rows`).
    ///
    /// Both have the same nonzero eigenvalues (the squared singular values of `W`); the smaller
    /// one has exactly `min(rows, cols)` of them. Computed with one `dsyrk` (lower triangle,
    /// column-major result), which costs `rows · cols · min(rows, cols)` flops, half a `dgemm`.
    ///
    /// A row-major `W` is, read column-major, `Wᵀ` with leading dimension `cols`; so
    /// `WᵀW = A·Aᵀ` (`trans = NoTrans`) and `WWᵀ = Aᵀ·A` (`trans = Trans`) with `A = Wᵀ`.
    public static func gramOfSmallerSide(_ w: UnsafeBufferPointer<Double>, rows: Int, cols: Int) -> (matrix: [Double], order: Int) {
        precondition(w.count >= rows * cols, "matrix storage smaller than rows × cols")
        let m = min(rows, cols)
        var g = [Double](repeating: 0, count: m * m)
        if m == 0 { return (g, 0) }
        g.withUnsafeMutableBufferPointer { gp in
            if rows >= cols {
                cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(cols), Int32(rows),
                            1.0, w.baseAddress, Int32(cols), 0.0, gp.baseAddress, Int32(m))
            } else {
                cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(rows), Int32(cols),
                            1.0, w.baseAddress, Int32(cols), 0.0, gp.baseAddress, Int32(m))
            }
        }
        return (g, m)
    }

    /// Adds `BᵀB` to the lower triangle of the column-major `cols × cols` matrix `g`, for a
    /// row-major block `B` of `rows × cols` (`dsyrk` with β = 1).
    ///
    /// Summing over the row blocks of a tall matrix gives its Gram matrix `WᵀW = Σ_b W_bᵀW_b`
    /// without holding `W` whole.
    public static func accumulateGram(_ block: UnsafeBufferPointer<Double>, rows: Int, cols: Int, into g: inout [Double]) {
        precondition(block.count >= rows * cols && g.count >= cols * cols)
        if rows == 0 || cols == 0 { return }
        g.withUnsafeMutableBufferPointer { gp in
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(cols), Int32(rows),
                        1.0, block.baseAddress, Int32(cols), 1.0, gp.baseAddress, Int32(cols))
        }
    }

    /// The `min(rows, cols)` eigenvalues of `WᵀW` for a row-major `rows × cols` matrix `W`,
    /// ascending: the squared singular values of `W`.
    ///
    /// Gram of the smaller side (`dsyrk`) then `dsyevd`, values only. In double precision the
    /// absolute error is about `1e-16 · λmax`, so eigenvalues above `1e-6 · λmax` carry a
    /// relative error below `1e-9` (measured against `dgesdd`; see the tests).
    public static func gramEigenvalues(_ w: UnsafeBufferPointer<Double>, rows: Int, cols: Int) throws -> [Double] {
        var (g, m) = gramOfSmallerSide(w, rows: rows, cols: cols)
        return try eigenvalues(symmetric: &g, n: m)
    }

    /// Convenience overload of ``gramEigenvalues(_:rows:cols:)`` for an array.
    public static func gramEigenvalues(_ w: [Double], rows: Int, cols: Int) throws -> [Double] {
        try w.withUnsafeBufferPointer { try gramEigenvalues($0, rows: rows, cols: cols) }
    }
}
