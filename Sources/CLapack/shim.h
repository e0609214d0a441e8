// CBLAS (OpenBLAS) and LAPACKE, as one Clang module for Swift.
#ifndef HTSR_CLAPACK_SHIM_H
#define HTSR_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/// LAPACKE's integer type (`lapack_int` is a macro Swift cannot see).
typedef lapack_int htsr_lapack_int;
/// LAPACK's column-major layout code (`LAPACK_COL_MAJOR` is a macro).
static const int htsr_LAPACK_COL_MAJOR = LAPACK_COL_MAJOR;

/// Addresses of one BLAS, one LAPACK and one LAPACKE function, to find which shared objects
/// provide them (`dladdr`, for `htsr doctor`).
static inline const void *htsr_blas_symbol(void) { return (const void *)&cblas_dsyrk; }
static inline const void *htsr_lapack_symbol(void) { return (const void *)&LAPACK_dsyevd_base; }
static inline const void *htsr_lapacke_symbol(void) { return (const void *)&LAPACKE_dsyevd; }
#endif
