internal import CLapack
import ComplexNumbers

/// Eigenvalues of complex Gram matrices `WᴴW`, in double precision.
public enum HermitianEigen {
    /// The `min(rows, cols)` eigenvalues of `WᴴW` for a row-major complex `rows × cols` matrix
    /// `W`, ascending: the squared singular values of `W`.
    ///
    /// The Gram of the smaller side (`zherk`: `WᴴW`, or `WWᴴ` when `rows < cols`, which has the
    /// same nonzero eigenvalues), then `zheevd` (values only: Householder reduction to a real
    /// tridiagonal matrix, then `dsterf`). About half the work of the real embedding
    /// `[[Re W, −Im W], [Im W, Re W]]`, whose Gram has every eigenvalue twice. Backward stable:
    /// absolute error about `ε·λmax`.
    ///
    /// Read column-major, the row-major `W` is `A = Wᵀ` (leading dimension `cols`), and `zherk`
    /// gives `A·Aᴴ = conj(WᴴW)` or `Aᴴ·A = conj(WWᴴ)`: the conjugate of a Hermitian matrix has
    /// the same eigenvalues.
    ///
    /// - Throws: `LinearAlgebraError` with LAPACK's `info` if the reduction does not converge.
    public static func gramEigenvalues(_ w: UnsafeBufferPointer<Complex<Double>>, rows: Int, cols: Int) throws -> [Double] {
        precondition(w.count >= rows * cols, "matrix storage smaller than rows × cols")
        let n = min(rows, cols), k = max(rows, cols)
        if n == 0 { return [] }
        var g = [Complex<Double>](repeating: .zero, count: n * n)
        g.withUnsafeMutableBufferPointer { gp in
            cblas_zherk(CblasColMajor, CblasLower, rows >= cols ? CblasNoTrans : CblasConjTrans, Int32(n), Int32(k),
                        1.0, w.baseAddress, Int32(cols), 0.0, gp.baseAddress, Int32(n))
        }
        return try eigenvalues(hermitian: &g, n: n)
    }

    /// Convenience overload of ``gramEigenvalues(_:rows:cols:)`` for an array.
    public static func gramEigenvalues(_ w: [Complex<Double>], rows: Int, cols: Int) throws -> [Double] {
        try w.withUnsafeBufferPointer { try gramEigenvalues($0, rows: rows, cols: cols) }
    }

    /// All eigenvalues of the Hermitian `n × n` matrix `a` (only its lower triangle, in
    /// column-major order, is read), ascending. `a` is overwritten. `zheevd`, values only,
    /// after a workspace query (`lwork = -1`).
    ///
    /// - Throws: `LinearAlgebraError` with LAPACK's `info` if the reduction does not converge.
    public static func eigenvalues(hermitian a: inout [Complex<Double>], n: Int) throws -> [Double] {
        precondition(a.count >= n * n, "matrix storage smaller than n × n")
        if n == 0 { return [] }
        var w = [Double](repeating: 0, count: n)
        let jobz = CChar(UInt8(ascii: "N")), uplo = CChar(UInt8(ascii: "L")), order = htsr_lapack_int(n)
        var workQuery = Complex<Double>.zero
        var rworkQuery: Double = 0
        var iworkQuery: htsr_lapack_int = 0
        var info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                htsr_zheevd_work(htsr_LAPACK_COL_MAJOR, jobz, uplo, order, ap.baseAddress, order, wp.baseAddress,
                                 &workQuery, -1, &rworkQuery, -1, &iworkQuery, -1)
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "zheevd", info: info) }
        var work = [Complex<Double>](repeating: .zero, count: max(1, Int(workQuery.re.rounded(.up))))
        var rwork = [Double](repeating: 0, count: max(1, Int(rworkQuery.rounded(.up))))
        var iwork = [htsr_lapack_int](repeating: 0, count: max(1, Int(iworkQuery)))
        info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                work.withUnsafeMutableBufferPointer { workp in
                    rwork.withUnsafeMutableBufferPointer { rworkp in
                        iwork.withUnsafeMutableBufferPointer { iworkp in
                            htsr_zheevd_work(htsr_LAPACK_COL_MAJOR, jobz, uplo, order, ap.baseAddress, order, wp.baseAddress,
                                             workp.baseAddress, htsr_lapack_int(workp.count), rworkp.baseAddress,
                                             htsr_lapack_int(rworkp.count), iworkp.baseAddress, htsr_lapack_int(iworkp.count))
                        }
                    }
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "zheevd", info: info) }
        return w
    }
}
