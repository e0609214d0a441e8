#ifndef HTSR_STARTUP_H
#define HTSR_STARTUP_H
/// Referenced from Swift so the linker keeps the object holding the start-up constructor.
int htsr_startup_linked(void);

/// The CPU as cpuid describes it (display family and model, as /proc/cpuinfo prints them).
typedef struct {
    char vendor[13];
    char brand[49];
    unsigned int family, model, stepping;
    int avx, fma, avx2;
    /// AVX-512 F, DQ, CD, BW and VL together (what OpenBLAS's SkylakeX kernels need).
    int avx512;
    int avx512_bf16;
    /// The OS saves the YMM state (XCR0 bits 1-2) and the AVX-512 state (bits 5-7).
    int os_ymm, os_zmm;
} htsr_cpu;

/// Fills `cpu` from cpuid (all zero on a non-x86 CPU).
void htsr_cpu_identify(htsr_cpu *cpu);

/// Whether OpenBLAS's `core` is a generic one: kernels that use at most AVX (Prescott, Core2,
/// Nehalem, Sandybridge, the Bulldozer family, ...; "Unknown" too).
int htsr_core_is_generic(const char *core);

/// The core to use instead of OpenBLAS's choice `openblasChoice`, or NULL to keep it: only
/// when that choice is generic and the CPU (with OS support) has AVX-512 (SkylakeX), or
/// AVX2 and FMA (Zen on AMD and Hygon, Haswell otherwise).
const char *htsr_core_for(const htsr_cpu *cpu, const char *openblasChoice);

/// Runs `body(context)` with `name=value` in the environment as getenv sees it, through a
/// temporary array that `environ` points to meanwhile; the original array and pointer are put
/// back untouched (setenv would reallocate `environ`, and a --static-swift-stdlib Swift runtime
/// finds argv from the original one). Not for threaded use. Returns 0 if memory ran out (body
/// not run), 1 otherwise.
int htsr_with_environment_entry(const char *name, const char *value, void (*body)(void *), void *context);

/// Makes OpenBLAS pick its kernels again as if OPENBLAS_CORETYPE were `core` (the environment
/// itself is left as it was: `htsr_with_environment_entry`). Returns 1 if OpenBLAS then reports `core`, 0 otherwise (or when the
/// library is not a DYNAMIC_ARCH OpenBLAS). Only safe before any BLAS call is running.
int htsr_blas_use_core(const char *core);

/// What start-up did about OpenBLAS's core.
typedef enum {
    /// No OpenBLAS linked (nothing to report).
    HTSR_CORE_NOT_OPENBLAS = 0,
    /// The user set OPENBLAS_CORETYPE: kept.
    HTSR_CORE_USER,
    /// An OpenBLAS built for one CPU (not DYNAMIC_ARCH): nothing to choose.
    HTSR_CORE_NOT_DYNAMIC,
    /// OpenBLAS's own choice is not generic, or the CPU has neither AVX2/FMA nor AVX-512: kept.
    HTSR_CORE_KEPT,
    /// OpenBLAS chose a generic core on a CPU with AVX2/FMA or AVX-512: switched to `requested`.
    HTSR_CORE_SWITCHED,
    /// As SWITCHED, but OpenBLAS did not take `requested`; `core` is what it uses.
    HTSR_CORE_SWITCH_FAILED,
} htsr_core_decision;

typedef struct {
    htsr_core_decision decision;
    /// The core OpenBLAS chose when it loaded, and the one in use after start-up.
    char openblas_choice[32];
    char core[32];
    /// The core htsr asked for (SWITCHED, SWITCH_FAILED), else empty.
    char requested[32];
    /// Seconds the switch took.
    double switch_seconds;
    /// The CPU (filled when the decision needed it: KEPT, SWITCHED, SWITCH_FAILED).
    htsr_cpu cpu;
} htsr_blas_core;

/// The decision made before main (see blas_core.c).
const htsr_blas_core *htsr_blas_core_choice(void);

/// Whether the user set OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS (then the
/// start-up leaves OpenBLAS's thread pool as the user asked).
int htsr_blas_threads_user_set(void);

/// Runs at start-up, before main: the core choice (blas_core.c).
void htsr_choose_blas_core(void);
#endif
