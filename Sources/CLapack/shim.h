// CBLAS (OpenBLAS) and LAPACKE, as one Clang module for Swift.
#ifndef HTSR_CLAPACK_SHIM_H
#define HTSR_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/// LAPACKE's integer type (`lapack_int` is a macro Swift cannot see).
typedef lapack_int htsr_lapack_int;
/// LAPACK's column-major layout code (`LAPACK_COL_MAJOR` is a macro).
static const int htsr_LAPACK_COL_MAJOR = LAPACK_COL_MAJOR;
#endif
