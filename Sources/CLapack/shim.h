// CBLAS (OpenBLAS) and LAPACKE, as one Clang module for Swift.
#ifndef HTSR_CLAPACK_SHIM_H
#define HTSR_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/// LAPACKE's integer type (`lapack_int` is a macro Swift cannot see).
typedef lapack_int htsr_lapack_int;
/// LAPACK's column-major layout code (`LAPACK_COL_MAJOR` is a macro).
static const int htsr_LAPACK_COL_MAJOR = LAPACK_COL_MAJOR;

/// `LAPACKE_zheevd_work` with the complex arrays as `void *` (Swift does not import C's
/// `double _Complex`, LAPACKE's default `lapack_complex_double`; the layout is two doubles,
/// real then imaginary, as `Complex<Double>`).
static inline lapack_int htsr_zheevd_work(int layout, char jobz, char uplo, lapack_int n, void *a, lapack_int lda,
                                          double *w, void *work, lapack_int lwork, double *rwork, lapack_int lrwork,
                                          lapack_int *iwork, lapack_int liwork) {
    return LAPACKE_zheevd_work(layout, jobz, uplo, n, (lapack_complex_double *)a, lda, w,
                               (lapack_complex_double *)work, lwork, rwork, lrwork, iwork, liwork);
}

/// Addresses of one BLAS, one LAPACK and one LAPACKE function, to find which shared objects
/// provide them (`dladdr`, for `htsr doctor`).
static inline const void *htsr_blas_symbol(void) { return (const void *)&cblas_dsyrk; }
static inline const void *htsr_lapack_symbol(void) { return (const void *)&LAPACK_dsyevd_base; }
static inline const void *htsr_lapacke_symbol(void) { return (const void *)&LAPACKE_dsyevd; }
#endif
