// libhdf5 for Swift, loaded on first use. HDF5 exposes its native types, file-access flags and
// some API names as macros (H5T_NATIVE_DOUBLE is `(H5open(), H5T_NATIVE_DOUBLE_g)`, H5Gopen is
// H5Gopen2, ...), which Swift cannot import; the htsr_* functions wrap them.
//
// The executable does not link libhdf5: `hdf5_loader.c` defines every H5* function htsr calls
// as a forwarder that dlopen()s the library the first time an HDF5 file is touched. libhdf5
// brings 31 more shared libraries (curl, TLS, Kerberos, LDAP, …) whose loading cost 8.6 ms at
// every start of htsr — 3 % of a whole MiniLM analysis that never reads HDF5.
#ifndef HTSR_CHDF5_H
#define HTSR_CHDF5_H
// The Debian header location, included by path so that no -I flag has to reach every target
// that imports this module (hdf5.h includes its siblings with quotes).
#include "/usr/include/hdf5/serial/hdf5.h"
#include <string.h>

hid_t htsr_H5T_NATIVE_DOUBLE(void);
hid_t htsr_H5T_NATIVE_FLOAT(void);
hid_t htsr_H5T_NATIVE_INT64(void);
hid_t htsr_H5T_NATIVE_INT32(void);
hid_t htsr_H5T_NATIVE_UINT8(void);
hid_t htsr_H5T_IEEE_F32LE(void);
hid_t htsr_H5T_IEEE_F32BE(void);
hid_t htsr_H5T_IEEE_F64LE(void);
hid_t htsr_H5T_IEEE_F64BE(void);
hid_t htsr_H5T_C_S1(void);
hid_t htsr_H5P_DATASET_CREATE(void);
static inline hid_t htsr_H5P_DEFAULT(void)       { return H5P_DEFAULT; }
static inline hid_t htsr_H5S_ALL(void)           { return H5S_ALL; }
unsigned htsr_H5F_ACC_RDONLY(void);
unsigned htsr_H5F_ACC_TRUNC(void);
static inline hid_t htsr_H5Gopen(hid_t loc, const char *name) { return H5Gopen2(loc, name, H5P_DEFAULT); }
static inline hid_t htsr_H5Dopen(hid_t loc, const char *name) { return H5Dopen2(loc, name, H5P_DEFAULT); }
static inline hid_t htsr_H5Gcreate(hid_t loc, const char *name) {
    return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}
static inline hid_t htsr_H5Dcreate(hid_t loc, const char *name, hid_t type, hid_t space, hid_t dcpl) {
    return H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
}
static inline hid_t htsr_H5Acreate(hid_t loc, const char *name, hid_t type, hid_t space) {
    return H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
}
/// Silences libhdf5's automatic error-stack printing; errors are reported by the caller instead.
static inline void htsr_H5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
/// HADDR_UNDEF, the address of raw data not yet allocated.
static inline haddr_t htsr_HADDR_UNDEF(void) { return HADDR_UNDEF; }
/// H5T_VARIABLE, the size that marks a variable-length string type (a cast macro).
static inline size_t htsr_H5T_VARIABLE(void) { return H5T_VARIABLE; }
/// 1 if the link `name` in group `loc` is a hard link, 0 if soft or external, negative on error.
/// (H5Lget_info and H5L_info_t are versioned macros from HDF5 1.12 on.)
static inline int htsr_H5L_is_hard(hid_t loc, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    return info.type == H5L_TYPE_HARD;
}
static inline herr_t htsr_H5E_copy_innermost(unsigned n, const H5E_error2_t *err, void *buf) {
    if (n == 0 && err->desc) { strncpy((char *)buf, err->desc, 255); ((char *)buf)[255] = 0; }
    return 0;
}
/// Copies the innermost (most specific) message of the current error stack into `buf`, which
/// must hold 256 bytes; leaves `buf` untouched when the stack is empty.
static inline void htsr_H5E_innermost(char *buf) {
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, htsr_H5E_copy_innermost, buf);
}

// The HDF5 worker process (hdf5_worker.c; see Checkpoint's HDF5Isolation).
/// Starts `executable` with `argv` and a new socket as its descriptor 3 (stdin/stdout/stderr on
/// /dev/null, every other descriptor closed, default signal dispositions); sets `*fd` to the
/// parent's end and `*pid`. Returns 0 or an errno value.
int htsr_worker_spawn(const char *executable, char *const argv[], int *fd, int *pid);
/// 1 if `fd` is a socket (the worker's channel), else 0.
int htsr_worker_is_channel(int fd);
/// In the worker: die with the parent (SIGKILL), write no core file, write no regular file.
void htsr_worker_arm(void);
/// In the worker: limit the address space to what is in use now plus `allowance` bytes.
/// Returns 0 or an errno value.
int htsr_worker_limit_memory(unsigned long long allowance);
/// Waits for child `pid`: its exit status; -2 with `*signal_number` set if a signal ended it;
/// -1 if waiting failed.
int htsr_worker_reap(int pid, int *signal_number);
#endif
