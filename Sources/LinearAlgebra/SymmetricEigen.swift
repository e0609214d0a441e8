internal import CLapack

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

    /// Which Gram matrix of a row-major `rows × cols` matrix `W`: `WᵀW` (`cols × cols`) or
    /// `WWᵀ` (`rows × rows`).
    public enum GramSide: Sendable {
        case columns, rows
    }

    /// Runs `count` independent pieces of work, `body(0) … body(count − 1)`, in any order, on
    /// any threads, and returns when all are done. The default runs them in order on the
    /// calling thread; the analyzer lends idle workers (see ``gramPanelWidth``).
    public typealias PanelRunner = (_ count: Int, _ body: @escaping (Int) -> Void) -> Void

    /// ``PanelRunner`` on the calling thread alone.
    public static func serialPanels(_ count: Int, _ body: @escaping (Int) -> Void) {
        for i in 0..<count { body(i) }
    }

    /// Gram matrices are computed in column panels of this width: panel `J` is the diagonal
    /// block `G[J, J]` (`dsyrk`) and the block below it (`dgemm`), so panels write disjoint
    /// parts of `G` and can run on different threads. Each entry is computed by one BLAS call
    /// whatever thread runs it, so the result depends on the panel partition only — a Gram is
    /// bitwise the same with or without helpers (OpenBLAS's own threaded `dsyrk` is not: it
    /// splits at thread-count-dependent boundaries). At order ≤ 512 it is one `dsyrk`; above,
    /// single-threaded, the panels were as fast as one `dsyrk` (n = 4096, docs/analyze.md).
    public static let gramPanelWidth = 512

    /// Adds the chosen Gram matrix of the row-major `rows × cols` block `B` to the lower
    /// triangle of the column-major `g`: `BᵀB` (`g` is `cols × cols`) or `BBᵀ` (`rows × rows`),
    /// in column panels of ``gramPanelWidth`` run by `panels`, with β = `beta` (0 overwrites).
    ///
    /// A row-major `B` is, read column-major, `A = Bᵀ` with leading dimension `cols`; so
    /// `BᵀB = A·Aᵀ` (`NoTrans`) and `BBᵀ = Aᵀ·A` (`Trans`). Summing `BᵀB` over the row blocks of
    /// a tall matrix, or `BBᵀ` over its column blocks (each gathered into its own buffer), gives
    /// its Gram matrix without holding it whole.
    public static func addGram(_ block: UnsafeBufferPointer<Double>, rows: Int, cols: Int, side: GramSide,
                               beta: Double = 1, into g: UnsafeMutableBufferPointer<Double>, panels: PanelRunner = serialPanels) {
        precondition(block.count >= rows * cols, "matrix storage smaller than rows × cols")
        let n = side == .columns ? cols : rows           // the Gram's order
        let k = side == .columns ? rows : cols           // the inner dimension
        precondition(g.count >= n * n, "Gram storage smaller than n × n")
        if n == 0 { return }
        guard k > 0 else {
            if beta == 0 { g.update(repeating: 0) }
            return
        }
        let a = block.baseAddress!, c = g.baseAddress!
        let lda = Int32(cols), ldc = Int32(n), w = gramPanelWidth
        let count = (n + w - 1) / w
        panels(count) { p in
            let j0 = p * w, width = min(w, n - j0), below = n - j0 - width
            if side == .columns {
                // G[J, J] = A[J, :]·A[J, :]ᵀ;  G[J+, J] = A[J+, :]·A[J, :]ᵀ
                cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(width), Int32(k), 1.0,
                            a + j0, lda, beta, c + j0 * n + j0, ldc)
                if below > 0 {
                    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, Int32(below), Int32(width), Int32(k), 1.0,
                                a + j0 + width, lda, a + j0, lda, beta, c + j0 * n + j0 + width, ldc)
                }
            } else {
                // G[J, J] = A[:, J]ᵀ·A[:, J];  G[J+, J] = A[:, J+]ᵀ·A[:, J]
                cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(width), Int32(k), 1.0,
                            a + j0 * cols, lda, beta, c + j0 * n + j0, ldc)
                if below > 0 {
                    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(below), Int32(width), Int32(k), 1.0,
                                a + (j0 + width) * cols, lda, a + j0 * cols, lda, beta, c + j0 * n + j0 + width, ldc)
                }
            }
        }
    }

    /// The Gram matrix of the smaller side of a row-major `rows × cols` matrix `W`:
    /// `WᵀW` (`cols × cols`) when `rows ≥ cols`, else `WWᵀ` (`rows × rows`), lower triangle,
    /// column-major.
    ///
    /// Both have the same nonzero eigenvalues (the squared singular values of `W`); the smaller
    /// one has exactly `min(rows, cols)` of them. It costs `rows · cols · min(rows, cols)`
    /// flops, half a `dgemm` (see ``addGram(_:rows:cols:side:beta:into:panels:)``).
    public static func gramOfSmallerSide(_ w: UnsafeBufferPointer<Double>, rows: Int, cols: Int,
                                         panels: PanelRunner = serialPanels) -> (matrix: [Double], order: Int) {
        precondition(w.count >= rows * cols, "matrix storage smaller than rows × cols")
        let m = min(rows, cols)
        var g = [Double](repeating: 0, count: m * m)
        if m == 0 { return (g, 0) }
        g.withUnsafeMutableBufferPointer { gp in
            addGram(w, rows: rows, cols: cols, side: rows >= cols ? .columns : .rows, beta: 0, into: gp, panels: panels)
        }
        return (g, m)
    }

    /// Adds `BᵀB` to the lower triangle of the column-major `cols × cols` matrix `g`, for a
    /// row-major block `B` of `rows × cols`.
    ///
    /// Summing over the row blocks of a tall matrix gives its Gram matrix `WᵀW = Σ_b W_bᵀW_b`
    /// without holding `W` whole.
    public static func accumulateGram(_ block: UnsafeBufferPointer<Double>, rows: Int, cols: Int, into g: inout [Double],
                                      panels: PanelRunner = serialPanels) {
        precondition(block.count >= rows * cols && g.count >= cols * cols)
        if rows == 0 || cols == 0 { return }
        g.withUnsafeMutableBufferPointer { addGram(block, rows: rows, cols: cols, side: .columns, into: $0, panels: panels) }
    }

    /// The `min(rows, cols)` eigenvalues of `WᵀW` for a row-major `rows × cols` matrix `W`,
    /// ascending: the squared singular values of `W`.
    ///
    /// Gram of the smaller side (`dsyrk`) then the eigensolver for its order, values only. In double precision the
    /// absolute error is about `1e-16 · λmax`, so eigenvalues above `1e-6 · λmax` carry a
    /// relative error below `1e-9` (measured against `dgesdd`; see the tests).
    public static func gramEigenvalues(_ w: UnsafeBufferPointer<Double>, rows: Int, cols: Int, solver: Solver? = nil,
                                       panels: PanelRunner = serialPanels) throws -> [Double] {
        var (g, m) = gramOfSmallerSide(w, rows: rows, cols: cols, panels: panels)
        return try eigenvalues(symmetric: &g, n: m, solver: solver)
    }

    /// Convenience overload of ``gramEigenvalues(_:rows:cols:solver:)`` for an array.
    public static func gramEigenvalues(_ w: [Double], rows: Int, cols: Int, solver: Solver? = nil) throws -> [Double] {
        try w.withUnsafeBufferPointer { try gramEigenvalues($0, rows: rows, cols: cols, solver: solver) }
    }
}
