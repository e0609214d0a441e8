import CLapack

/// Eigenvalues of symmetric matrices and Gram matrices, in double precision.
public enum SymmetricEigen {
    /// LAPACK's values-only symmetric eigensolvers.
    public enum Solver: String, Sendable, CaseIterable {
        /// `dsyevd` (`jobz = 'N'`): Householder tridiagonal reduction (`dsytrd`, half of it
        /// matrix–vector products), then `dsterf`.
        case dsyevd
        /// `dsyevd_2stage` (LAPACK ≥ 3.7): reduction to a band with matrix–matrix products,
        /// then band to tridiagonal (`dsytrd_2stage`), then `dsterf`. Values only.
        case dsyevd2stage = "dsyevd_2stage"

        /// The faster solver for order `n` on the machines measured (see ``twoStageFromOrder``).
        public static func preferred(forOrder n: Int) -> Solver {
            n >= SymmetricEigen.twoStageFromOrder ? .dsyevd2stage : .dsyevd
        }
    }

    /// The order from which `dsyevd_2stage` is used: below it `dsyevd` is as fast or faster
    /// (measured with `Scripts/bench-eigensolver`; the table is in docs/analyze.md).
    public static let twoStageFromOrder = 1792

    /// All eigenvalues of the symmetric `n × n` matrix `a` (only its lower triangle, in
    /// column-major order, is read), ascending. `a` is overwritten.
    ///
    /// Values only, with the faster of LAPACK's two solvers for this order
    /// (``Solver/preferred(forOrder:)``) unless `solver` is given; both are backward stable
    /// (absolute error about `ε·‖A‖`). The workspace size is queried first (`lwork = -1`).
    ///
    /// - Throws: `LinearAlgebraError` with LAPACK's `info` if the reduction does not converge.
    public static func eigenvalues(symmetric a: inout [Double], n: Int, solver: Solver? = nil) throws -> [Double] {
        precondition(a.count >= n * n, "matrix storage smaller than n × n")
        if n == 0 { return [] }
        let solver = solver ?? .preferred(forOrder: n)
        let routine = solver.rawValue
        var w = [Double](repeating: 0, count: n)
        func call(_ ap: UnsafeMutablePointer<Double>?, _ wp: UnsafeMutablePointer<Double>?, _ work: UnsafeMutablePointer<Double>?,
                  _ lwork: Int, _ iwork: UnsafeMutablePointer<htsr_lapack_int>?, _ liwork: Int) -> htsr_lapack_int {
            let jobz = CChar(UInt8(ascii: "N")), uplo = CChar(UInt8(ascii: "L")), order = htsr_lapack_int(n)
            switch solver {
            case .dsyevd:
                return LAPACKE_dsyevd_work(htsr_LAPACK_COL_MAJOR, jobz, uplo, order, ap, order, wp,
                                           work, htsr_lapack_int(lwork), iwork, htsr_lapack_int(liwork))
            case .dsyevd2stage:
                return LAPACKE_dsyevd_2stage_work(htsr_LAPACK_COL_MAJOR, jobz, uplo, order, ap, order, wp,
                                                  work, htsr_lapack_int(lwork), iwork, htsr_lapack_int(liwork))
            }
        }
        var workQuery: Double = 0
        var iworkQuery: htsr_lapack_int = 0
        var info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in call(ap.baseAddress, wp.baseAddress, &workQuery, -1, &iworkQuery, -1) }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
        let lwork = max(1, Int(workQuery.rounded(.up)))
        let liwork = max(1, Int(iworkQuery))
        var work = [Double](repeating: 0, count: lwork)
        var iwork = [htsr_lapack_int](repeating: 0, count: liwork)
        info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                work.withUnsafeMutableBufferPointer { workp in
                    iwork.withUnsafeMutableBufferPointer { iworkp in
                        call(ap.baseAddress, wp.baseAddress, workp.baseAddress, lwork, iworkp.baseAddress, liwork)
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: routine, info: info) }
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
    /// Gram of the smaller side (`dsyrk`) then the eigensolver for its order, values only. In double precision the
    /// absolute error is about `1e-16 · λmax`, so eigenvalues above `1e-6 · λmax` carry a
    /// relative error below `1e-9` (measured against `dgesdd`; see the tests).
    public static func gramEigenvalues(_ w: UnsafeBufferPointer<Double>, rows: Int, cols: Int, solver: Solver? = nil) throws -> [Double] {
        var (g, m) = gramOfSmallerSide(w, rows: rows, cols: cols)
        return try eigenvalues(symmetric: &g, n: m, solver: solver)
    }

    /// Convenience overload of ``gramEigenvalues(_:rows:cols:solver:)`` for an array.
    public static func gramEigenvalues(_ w: [Double], rows: Int, cols: Int, solver: Solver? = nil) throws -> [Double] {
        try w.withUnsafeBufferPointer { try gramEigenvalues($0, rows: rows, cols: cols, solver: solver) }
    }
}
