// Runs before any shared library is initialised (ELF .preinit_array of the executable), so
// OpenBLAS, which sizes its thread pool from OPENBLAS_NUM_THREADS when it loads, starts with one
// thread. The idle threads of a larger pool spin after start-up and take CPU from htsr's own
// per-layer workers (about 0.1 s of a core, 30 % of a MiniLM analysis). Commands that want BLAS
// threads (training) raise the count later with openblas_set_num_threads, which grows the pool.
// A value the user set is kept (setenv with overwrite = 0).
#include <stdlib.h>
#include "startup.h"

static void htsr_preinit(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
}

__attribute__((section(".preinit_array"), used))
static void (*const htsr_preinit_entry)(int, char **, char **) = htsr_preinit;

int htsr_startup_linked(void) { return 1; }
