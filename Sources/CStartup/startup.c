// OpenBLAS sizes its thread pool from OPENBLAS_NUM_THREADS (or GOTO_/OMP_NUM_THREADS) when it
// loads, and a pool of more than one thread spins (sched_yield) for about 2^28 cycles after
// start-up, taking a core from htsr's own per-layer workers (about 0.1 s of a core, 15–30 % of
// a MiniLM analysis). Setting the variable from the executable's .preinit_array does not work
// with glibc: libc's own initialiser, which runs after the pre-initialisers, resets `environ` to
// the process's original environment before OpenBLAS reads it (measured: OpenBLAS saw no
// variable and started its pool). So, when the user has set none of these variables, the
// constructor below shuts the pool down as soon as the libraries are initialised (before
// main) and sets one thread per call. This is OpenBLAS's own fork path
// (`blas_thread_shutdown_`, registered with pthread_atfork): a later
// `openblas_set_num_threads(n > 1)` (training with --blas-threads) re-creates the pool on the
// next threaded call. The symbols are weak, so a serial OpenBLAS build links too.
//
// Before that, the same constructor corrects OpenBLAS's kernel choice when it is generic on a
// CPU with AVX2/FMA or AVX-512 (blas_core.c); one constructor, so the order is fixed.
#include <stdlib.h>
#include "startup.h"

extern int blas_thread_shutdown_(void) __attribute__((weak));
extern void openblas_set_num_threads(int) __attribute__((weak));

int htsr_blas_threads_user_set(void) {
    return getenv("OPENBLAS_NUM_THREADS") || getenv("GOTO_NUM_THREADS") || getenv("OMP_NUM_THREADS");
}

__attribute__((constructor))
static void htsr_start_blas(void) {
    htsr_choose_blas_core();
    if (htsr_blas_threads_user_set()) return;
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}

int htsr_startup_linked(void) { return 1; }
