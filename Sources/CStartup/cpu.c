// The CPU's identity and vector extensions, from cpuid, and whether the OS saves the wide
// registers (XGETBV): the facts the BLAS core choice needs (see blas_core.c).
#include <string.h>
#include "startup.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void htsr_cpu_identify(htsr_cpu *cpu) {
    memset(cpu, 0, sizeof *cpu);
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned int maxLeaf = a;
    memcpy(cpu->vendor, &b, 4);
    memcpy(cpu->vendor + 4, &d, 4);
    memcpy(cpu->vendor + 8, &c, 4);
    cpu->vendor[12] = 0;

    __get_cpuid(1, &a, &b, &c, &d);
    unsigned int family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    cpu->family = family == 0xf ? family + ((a >> 20) & 0xff) : family;
    cpu->model = (family == 0x6 || family == 0xf) ? model + (((a >> 16) & 0xf) << 4) : model;
    cpu->stepping = a & 0xf;
    cpu->fma = (c >> 12) & 1;
    int osxsave = (c >> 27) & 1;
    cpu->avx = (c >> 28) & 1;
    unsigned long long xcr = osxsave ? xcr0() : 0;
    // XMM and YMM state (bits 1, 2); opmask, upper ZMM and high ZMM state (bits 5, 6, 7).
    cpu->os_ymm = (xcr & 0x6) == 0x6;
    cpu->os_zmm = cpu->os_ymm && (xcr & 0xe0) == 0xe0;

    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        unsigned int maxSub = a;
        cpu->avx2 = (b >> 5) & 1;
        // SkylakeX's kernels need AVX-512 F, DQ, CD, BW and VL.
        cpu->avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 28) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
        if (maxSub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            cpu->avx512_bf16 = (a >> 5) & 1;
        }
    }

    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned int *brand = (unsigned int *)cpu->brand;
        for (unsigned int leaf = 0; leaf < 3; leaf++) {
            __get_cpuid(0x80000002 + leaf, brand + 4 * leaf, brand + 4 * leaf + 1, brand + 4 * leaf + 2, brand + 4 * leaf + 3);
        }
        cpu->brand[48] = 0;
    }
}
#else
void htsr_cpu_identify(htsr_cpu *cpu) { memset(cpu, 0, sizeof *cpu); }
#endif
