#include "cgnuplot.h"
#include <gnuplot-iostream.h>

extern "C" int cgnuplot_available(void) { return 1; }
