internal import CLapack

/// Singular values by divide and conquer (`dgesdd`), used as the reference for the Gram path.
public enum SingularValues {
    /// The `min(rows, cols)` singular values of a row-major `rows × cols` matrix, descending.
    ///
    /// A row-major `rows × cols` matrix is a column-major `cols × rows` matrix (its transpose,
    /// which has the same singular values), so it is passed to the column-major `dgesdd` with
    /// swapped dimensions: row-major `LAPACKE_dgesdd` would transpose-copy it first.
    /// The input is copied once because `dgesdd` destroys it.
    public static func values(_ w: [Double], rows: Int, cols: Int) throws -> [Double] {
        precondition(w.count >= rows * cols)
        let m = cols, n = rows            // column-major view: m × n, leading dimension cols
        let k = min(m, n)
        if k == 0 { return [] }
        var a = w
        var s = [Double](repeating: 0, count: k)
        var u: Double = 0, vt: Double = 0
        var query: Double = 0
        var iwork = [htsr_lapack_int](repeating: 0, count: 8 * k)
        var info = a.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                LAPACKE_dgesdd_work(htsr_LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), htsr_lapack_int(m), htsr_lapack_int(n),
                                    ap.baseAddress, htsr_lapack_int(m), sp.baseAddress, &u, 1, &vt, 1,
                                    &query, -1, &iwork)
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dgesdd", info: info) }
        var work = [Double](repeating: 0, count: max(1, Int(query.rounded(.up))))
        let lwork = htsr_lapack_int(work.count)
        info = a.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                work.withUnsafeMutableBufferPointer { wp in
                    LAPACKE_dgesdd_work(htsr_LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), htsr_lapack_int(m), htsr_lapack_int(n),
                                        ap.baseAddress, htsr_lapack_int(m), sp.baseAddress, &u, 1, &vt, 1,
                                        wp.baseAddress, lwork, &iwork)
                }
            }
        }
        guard info == 0 else { throw LinearAlgebraError(routine: "dgesdd", info: info) }
        return s
    }
}
