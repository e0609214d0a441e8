// OpenBLAS's kernel choice ("core"), corrected at start-up when it is generic on a modern CPU.
//
// A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels in its own constructor
// (gotoblas_init -> gotoblas_dynamic_init), from OPENBLAS_CORETYPE or else from cpuid. A CPU
// model it does not know may fall through to the generic Prescott kernels (0.3.21 does so for
// Intel family 6 models newer than its tables, e.g. extended model 0xC): 2.5-5x slower dsyrk
// on an AVX-512 machine. Our constructor cannot run first — the ELF loader initialises a
// library before the executable that needs it, and a variable set from .preinit_array is
// undone by libc's initialiser (startup.c) — so the choice is corrected after the fact with
// OpenBLAS's own exported entry points: gotoblas_dynamic_quit() forgets the table and
// gotoblas_dynamic_init() picks again, reading OPENBLAS_CORETYPE, which we show it for that call
// only (child processes see the user's environment). Nothing has called BLAS
// yet and OpenBLAS's buffers have a fixed size for every core, so this is what
// OPENBLAS_CORETYPE at load would have given, in microseconds (a re-exec with the variable set
// costs a whole process start). The symbols are weak: a non-dynamic or non-OpenBLAS BLAS
// links too and is left alone.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "startup.h"

extern char *openblas_get_corename(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

// OpenBLAS's x86-64 cores whose double-precision kernels use at most AVX (no AVX2/FMA3 GEMM
// kernels); "Unknown" is what a failed detection reports.
static const char *const genericCores[] = {
    "Unknown", "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn",
    "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Sandybridge",
    "Bobcat", "Bulldozer", "Piledriver", "Steamroller", "Excavator",
};

int htsr_core_is_generic(const char *core) {
    if (!core) return 0;
    for (size_t i = 0; i < sizeof genericCores / sizeof *genericCores; i++) {
        if (strcasecmp(core, genericCores[i]) == 0) return 1;
    }
    return 0;
}

const char *htsr_core_for(const htsr_cpu *cpu, const char *openblasChoice) {
    if (!htsr_core_is_generic(openblasChoice)) return NULL;
    if (cpu->avx512 && cpu->avx2 && cpu->fma && cpu->os_zmm) return "SkylakeX";
    if (cpu->avx2 && cpu->fma && cpu->os_ymm) {
        int amd = strcmp(cpu->vendor, "AuthenticAMD") == 0 || strcmp(cpu->vendor, "HygonGenuine") == 0;
        return amd ? "Zen" : "Haswell";
    }
    return NULL;
}

static void copy(char *to, size_t size, const char *from) {
    snprintf(to, size, "%s", from ? from : "");
}

// OPENBLAS_CORETYPE is shown to OpenBLAS through a temporary environment array, never with
// setenv: setenv reallocates `environ`, and the Swift runtime of a --static-swift-stdlib build
// finds argv by walking back from the original `environ` (its argv grabber may run after this
// constructor) — after a setenv it found none, and every command printed the top-level help.
// The original array and pointer are put back untouched; nothing else runs meanwhile (start-up,
// or `htsr doctor` on its only thread).
extern char **environ;

int htsr_with_environment_entry(const char *name, const char *value, void (*body)(void *), void *context) {
    size_t n = 0, length = strlen(name);
    while (environ && environ[n]) n++;
    char **shown = malloc((n + 2) * sizeof *shown);
    size_t size = length + strlen(value) + 2;
    char *entry = malloc(size);
    if (!shown || !entry) { free(shown); free(entry); return 0; }
    snprintf(entry, size, "%s=%s", name, value);
    size_t k = 0;
    shown[k++] = entry;
    for (size_t i = 0; i < n; i++) {
        if (!(strncmp(environ[i], name, length) == 0 && environ[i][length] == '=')) shown[k++] = environ[i];
    }
    shown[k] = NULL;
    char **original = environ;
    environ = shown;
    body(context);
    environ = original;
    free(shown);
    free(entry);
    return 1;
}

static void reinitialise(void *unused) {
    (void)unused;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
}

int htsr_blas_use_core(const char *core) {
    if (!openblas_get_corename || !gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    if (!htsr_with_environment_entry("OPENBLAS_CORETYPE", core, reinitialise, NULL)) return 0;
    return strcasecmp(openblas_get_corename(), core) == 0;
}

static htsr_blas_core record;

const htsr_blas_core *htsr_blas_core_choice(void) { return &record; }

void htsr_choose_blas_core(void) {
    if (!openblas_get_corename) { record.decision = HTSR_CORE_NOT_OPENBLAS; return; }
    copy(record.openblas_choice, sizeof record.openblas_choice, openblas_get_corename());
    copy(record.core, sizeof record.core, record.openblas_choice);
    const char *user = getenv("OPENBLAS_CORETYPE");
    if (user && *user) { record.decision = HTSR_CORE_USER; return; }
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) { record.decision = HTSR_CORE_NOT_DYNAMIC; return; }
    htsr_cpu_identify(&record.cpu);
    const char *better = htsr_core_for(&record.cpu, record.openblas_choice);
    if (!better) { record.decision = HTSR_CORE_KEPT; return; }
    copy(record.requested, sizeof record.requested, better);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ok = htsr_blas_use_core(better);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    record.switch_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    copy(record.core, sizeof record.core, openblas_get_corename());
    record.decision = ok ? HTSR_CORE_SWITCHED : HTSR_CORE_SWITCH_FAILED;
}
