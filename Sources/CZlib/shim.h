// zlib, reached only through Checkpoint's Zlib wrapper (deflated ZIP entries, gzip data sets, CRC-32).
#ifndef HTSR_CZLIB_SHIM_H
#define HTSR_CZLIB_SHIM_H
#include <zlib.h>
#endif
