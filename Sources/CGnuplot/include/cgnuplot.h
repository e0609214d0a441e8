// extern "C" API over gnuplot-iostream (filled in by the figures work).
#ifndef HTSR_CGNUPLOT_H
#define HTSR_CGNUPLOT_H
#ifdef __cplusplus
extern "C" {
#endif
/// 1 when this shim was built against gnuplot-iostream.
int cgnuplot_available(void);
#ifdef __cplusplus
}
#endif
#endif
