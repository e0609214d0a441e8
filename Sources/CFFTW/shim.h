// FFTW 3, double (fftw_*) and single (fftwf_*) precision, as one Clang module for Swift.
#ifndef HTSR_CFFTW_SHIM_H
#define HTSR_CFFTW_SHIM_H
#include <fftw3.h>
#endif
