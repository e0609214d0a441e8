#ifndef HTSR_CGNUPLOT_H
#define HTSR_CGNUPLOT_H
// A small C API over gnuplot-iostream (libgnuplot-iostream-dev), for Swift.
//
// One `htsr_gnuplot` is one running gnuplot process: its standard input is a pipe wrapped in a
// gnuplot-iostream `Gnuplot` stream (commands as text, data in gnuplot's binary format through
// the same pipe), its standard error goes to a file the caller names (gnuplot's messages and the
// caller's `print` markers), its standard output to /dev/null. Handles are not thread-safe; use
// one per thread. Functions never throw and never write to the caller's stderr.
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct htsr_gnuplot htsr_gnuplot;

/// Starts `executable` (looked up in PATH when it has no '/') with no arguments.
/// Returns NULL and sets `*error_number` (an errno value, ENOENT when gnuplot is missing) on
/// failure. SIGPIPE is ignored process-wide from the first call on, so that a gnuplot that dies
/// makes writes fail with EPIPE instead of killing the caller.
htsr_gnuplot *htsr_gnuplot_open(const char *executable, const char *stderr_path, int *error_number);

/// Sends `length` bytes of commands. Returns 0, or -1 if the pipe is broken.
int htsr_gnuplot_send_text(htsr_gnuplot *gp, const char *text, size_t length);

/// Sends `rows` records of `columns` float64 values in gnuplot's binary format, column-major
/// input: `data[c * rows + r]` is record r, column c (gnuplot-iostream's `sendBinary1d_colmajor`).
/// Returns 0, or -1 if the pipe is broken.
int htsr_gnuplot_send_columns(htsr_gnuplot *gp, const double *data, size_t columns, size_t rows);

/// Closes gnuplot's input and waits for it to exit. Returns its exit status (0 = success), or
/// 128 + signal number if it was killed, or -1 if waiting failed. `gp` stays allocated (kills
/// are then no-ops) until `htsr_gnuplot_free`.
int htsr_gnuplot_close(htsr_gnuplot *gp);

/// Frees a closed `gp`; no other thread may use it any more.
void htsr_gnuplot_free(htsr_gnuplot *gp);

/// Kills gnuplot (SIGKILL) if it has not been reaped yet; safe to call from another thread
/// while `htsr_gnuplot_send_*` or `htsr_gnuplot_close` block (they then fail or return).
/// `gp` must still be valid (not yet freed by `htsr_gnuplot_close`).
void htsr_gnuplot_kill(htsr_gnuplot *gp);

/// Writes into `buffer` (NUL-terminated, at most `capacity` bytes) the binary format clause that
/// gnuplot-iostream uses for `columns` float64 columns of `rows` records, e.g.
/// ` format='%double%double' record=(384) `. Returns the clause's length (without NUL), or -1
/// if it does not fit.
long htsr_gnuplot_binary_format(size_t columns, size_t rows, char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif
#endif
