// zlib, for reading the gzip-compressed training data sets (CSV.gz, IDX .gz).
#ifndef HTSR_CZLIB_SHIM_H
#define HTSR_CZLIB_SHIM_H
#include <zlib.h>
#endif
