// Loads libhdf5 on first use and forwards every H5* function htsr calls to it (see CHDF5.h).
// Each forwarder has the exact prototype of hdf5.h (a mismatch does not compile), looks its
// target up once with dlsym and caches it; a missing library or symbol is a one-line error
// and exit status 1 (libhdf5-dev is installed by Scripts/setup).
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "CHDF5.h"

static void *library;
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void open_library(void) {
    // The unversioned name comes with libhdf5-dev (which building needs); the versioned ones
    // cover a machine with only the runtime package of Debian 12 (1.10) or 13 (1.14).
    const char *names[] = {"libhdf5_serial.so", "libhdf5_serial.so.103", "libhdf5_serial.so.310", "libhdf5.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "htsr: cannot load libhdf5 (libhdf5_serial.so: %s); install libhdf5-dev (Scripts/setup does)\n", dlerror());
        exit(1);
    }
}

/// The address of `name` in libhdf5 (a function or a global variable).
static void *htsr_hdf5_symbol(const char *name) {
    pthread_once(&library_once, open_library);
    void *p = dlsym(library, name);
    if (!p) {
        fprintf(stderr, "htsr: libhdf5 has no symbol %s (%s)\n", name, dlerror());
        exit(1);
    }
    return p;
}

#define HTSR_H5_FORWARD(ret, name, params, args)                                        \
    ret name params {                                                                   \
        static __typeof__(&name) target;                                                \
        __typeof__(&name) f = __atomic_load_n(&target, __ATOMIC_ACQUIRE);               \
        if (!f) {                                                                       \
            f = (__typeof__(&name))htsr_hdf5_symbol(#name);                             \
            __atomic_store_n(&target, f, __ATOMIC_RELEASE);                             \
        }                                                                               \
        return f args;                                                                  \
    }

HTSR_H5_FORWARD(herr_t, H5Aclose, (hid_t attr_id), (attr_id))
HTSR_H5_FORWARD(htri_t, H5Aexists, (hid_t obj_id, const char *attr_name), (obj_id, attr_name))
HTSR_H5_FORWARD(hid_t, H5Aget_space, (hid_t attr_id), (attr_id))
HTSR_H5_FORWARD(hid_t, H5Aget_type, (hid_t attr_id), (attr_id))
HTSR_H5_FORWARD(herr_t, H5Aiterate2, (hid_t loc_id, H5_index_t idx_type, H5_iter_order_t order, hsize_t *idx, H5A_operator2_t op, void *op_data), (loc_id, idx_type, order, idx, op, op_data))
HTSR_H5_FORWARD(hid_t, H5Aopen, (hid_t obj_id, const char *attr_name, hid_t aapl_id), (obj_id, attr_name, aapl_id))
HTSR_H5_FORWARD(herr_t, H5Aread, (hid_t attr_id, hid_t type_id, void *buf), (attr_id, type_id, buf))
HTSR_H5_FORWARD(herr_t, H5Awrite, (hid_t attr_id, hid_t type_id, const void *buf), (attr_id, type_id, buf))
HTSR_H5_FORWARD(herr_t, H5Dclose, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(hid_t, H5Dget_space, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(hid_t, H5Dget_type, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(herr_t, H5Dread, (hid_t dset_id, hid_t mem_type_id, hid_t mem_space_id, hid_t file_space_id, hid_t dxpl_id, void *buf), (dset_id, mem_type_id, mem_space_id, file_space_id, dxpl_id, buf))
HTSR_H5_FORWARD(herr_t, H5Dwrite, (hid_t dset_id, hid_t mem_type_id, hid_t mem_space_id, hid_t file_space_id, hid_t dxpl_id, const void *buf), (dset_id, mem_type_id, mem_space_id, file_space_id, dxpl_id, buf))
HTSR_H5_FORWARD(herr_t, H5Fclose, (hid_t file_id), (file_id))
HTSR_H5_FORWARD(hid_t, H5Fcreate, (const char *filename, unsigned flags, hid_t fcpl_id, hid_t fapl_id), (filename, flags, fcpl_id, fapl_id))
HTSR_H5_FORWARD(hid_t, H5Fopen, (const char *filename, unsigned flags, hid_t fapl_id), (filename, flags, fapl_id))
HTSR_H5_FORWARD(herr_t, H5Gclose, (hid_t group_id), (group_id))
HTSR_H5_FORWARD(hid_t, H5Gget_create_plist, (hid_t group_id), (group_id))
HTSR_H5_FORWARD(herr_t, H5Gget_info, (hid_t loc_id, H5G_info_t *ginfo), (loc_id, ginfo))
HTSR_H5_FORWARD(hid_t, H5Gopen2, (hid_t loc_id, const char *name, hid_t gapl_id), (loc_id, name, gapl_id))
HTSR_H5_FORWARD(H5I_type_t, H5Iget_type, (hid_t id), (id))
HTSR_H5_FORWARD(htri_t, H5Lexists, (hid_t loc_id, const char *name, hid_t lapl_id), (loc_id, name, lapl_id))
HTSR_H5_FORWARD(ssize_t, H5Lget_name_by_idx, (hid_t loc_id, const char *group_name, H5_index_t idx_type, H5_iter_order_t order, hsize_t n, char *name , size_t size, hid_t lapl_id), (loc_id, group_name, idx_type, order, n, name, size, lapl_id))
HTSR_H5_FORWARD(herr_t, H5Oclose, (hid_t object_id), (object_id))
HTSR_H5_FORWARD(hid_t, H5Oopen, (hid_t loc_id, const char *name, hid_t lapl_id), (loc_id, name, lapl_id))
HTSR_H5_FORWARD(herr_t, H5Pclose, (hid_t plist_id), (plist_id))
HTSR_H5_FORWARD(hid_t, H5Pcreate, (hid_t cls_id), (cls_id))
HTSR_H5_FORWARD(herr_t, H5Pget_link_creation_order, (hid_t plist_id, unsigned *crt_order_flags), (plist_id, crt_order_flags))
HTSR_H5_FORWARD(herr_t, H5Pset_chunk, (hid_t plist_id, int ndims, const hsize_t dim[]), (plist_id, ndims, dim))
HTSR_H5_FORWARD(herr_t, H5Pset_deflate, (hid_t plist_id, unsigned level), (plist_id, level))
HTSR_H5_FORWARD(herr_t, H5Pset_obj_track_times, (hid_t plist_id, hbool_t track_times), (plist_id, track_times))
HTSR_H5_FORWARD(herr_t, H5Pset_shuffle, (hid_t plist_id), (plist_id))
HTSR_H5_FORWARD(herr_t, H5Sclose, (hid_t space_id), (space_id))
HTSR_H5_FORWARD(hid_t, H5Screate, (H5S_class_t type), (type))
HTSR_H5_FORWARD(hid_t, H5Screate_simple, (int rank, const hsize_t dims[], const hsize_t maxdims[]), (rank, dims, maxdims))
HTSR_H5_FORWARD(int, H5Sget_simple_extent_dims, (hid_t space_id, hsize_t dims[], hsize_t maxdims[]), (space_id, dims, maxdims))
HTSR_H5_FORWARD(int, H5Sget_simple_extent_ndims, (hid_t space_id), (space_id))
HTSR_H5_FORWARD(hssize_t, H5Sget_simple_extent_npoints, (hid_t space_id), (space_id))
HTSR_H5_FORWARD(H5S_class_t, H5Sget_simple_extent_type, (hid_t space_id), (space_id))
HTSR_H5_FORWARD(herr_t, H5Sselect_hyperslab, (hid_t space_id, H5S_seloper_t op, const hsize_t start[], const hsize_t stride[], const hsize_t count[], const hsize_t block[]), (space_id, op, start, stride, count, block))
HTSR_H5_FORWARD(herr_t, H5Tclose, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(hid_t, H5Tcopy, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(H5T_class_t, H5Tget_class, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(H5T_cset_t, H5Tget_cset, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(H5T_sign_t, H5Tget_sign, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(size_t, H5Tget_size, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(H5T_str_t, H5Tget_strpad, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(htri_t, H5Tis_variable_str, (hid_t type_id), (type_id))
HTSR_H5_FORWARD(herr_t, H5Tset_cset, (hid_t type_id, H5T_cset_t cset), (type_id, cset))
HTSR_H5_FORWARD(herr_t, H5Tset_size, (hid_t type_id, size_t size), (type_id, size))
HTSR_H5_FORWARD(htri_t, H5Zfilter_avail, (H5Z_filter_t id), (id))
HTSR_H5_FORWARD(hid_t, H5Dopen2, (hid_t loc_id, const char *name, hid_t dapl_id), (loc_id, name, dapl_id))
HTSR_H5_FORWARD(hid_t, H5Gcreate2, (hid_t loc_id, const char *name, hid_t lcpl_id, hid_t gcpl_id, hid_t gapl_id), (loc_id, name, lcpl_id, gcpl_id, gapl_id))
HTSR_H5_FORWARD(hid_t, H5Dcreate2, (hid_t loc_id, const char *name, hid_t type_id, hid_t space_id, hid_t lcpl_id, hid_t dcpl_id, hid_t dapl_id), (loc_id, name, type_id, space_id, lcpl_id, dcpl_id, dapl_id))
HTSR_H5_FORWARD(hid_t, H5Acreate2, (hid_t loc_id, const char *attr_name, hid_t type_id, hid_t space_id, hid_t acpl_id, hid_t aapl_id), (loc_id, attr_name, type_id, space_id, acpl_id, aapl_id))
HTSR_H5_FORWARD(herr_t, H5Eset_auto2, (hid_t estack_id, H5E_auto2_t func, void *client_data), (estack_id, func, client_data))
HTSR_H5_FORWARD(herr_t, H5Lget_info, (hid_t loc_id, const char *name, H5L_info_t *linfo, hid_t lapl_id), (loc_id, name, linfo, lapl_id))
HTSR_H5_FORWARD(herr_t, H5Ewalk2, (hid_t err_stack, H5E_direction_t direction, H5E_walk2_t func, void *client_data), (err_stack, direction, func, client_data))
HTSR_H5_FORWARD(hid_t, H5Dget_create_plist, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(hsize_t, H5Dget_storage_size, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(haddr_t, H5Dget_offset, (hid_t dset_id), (dset_id))
HTSR_H5_FORWARD(H5D_layout_t, H5Pget_layout, (hid_t plist_id), (plist_id))
HTSR_H5_FORWARD(int, H5Pget_external_count, (hid_t plist_id), (plist_id))
HTSR_H5_FORWARD(int, H5Pget_nfilters, (hid_t plist_id), (plist_id))
HTSR_H5_FORWARD(herr_t, H5Fget_filesize, (hid_t file_id, hsize_t *size), (file_id, size))
HTSR_H5_FORWARD(herr_t, H5open, (void), ())
HTSR_H5_FORWARD(herr_t, H5free_memory, (void *mem), (mem))
HTSR_H5_FORWARD(herr_t, H5check_version, (unsigned majnum, unsigned minnum, unsigned relnum), (majnum, minnum, relnum))

/// The value of one of libhdf5's global type or class identifiers (`H5T_NATIVE_DOUBLE_g`, …),
/// after H5open() has initialised them — what the H5T_NATIVE_* macros expand to.
static hid_t global_id(const char *name) {
    H5open();
    return *(const hid_t *)htsr_hdf5_symbol(name);
}

hid_t htsr_H5T_NATIVE_DOUBLE(void)  { return global_id("H5T_NATIVE_DOUBLE_g"); }
hid_t htsr_H5T_NATIVE_FLOAT(void)   { return global_id("H5T_NATIVE_FLOAT_g"); }
hid_t htsr_H5T_NATIVE_INT64(void)   { return global_id("H5T_NATIVE_INT64_g"); }
hid_t htsr_H5T_NATIVE_INT32(void)   { return global_id("H5T_NATIVE_INT32_g"); }
hid_t htsr_H5T_NATIVE_UINT8(void)   { return global_id("H5T_NATIVE_UINT8_g"); }
hid_t htsr_H5T_IEEE_F32LE(void)     { return global_id("H5T_IEEE_F32LE_g"); }
hid_t htsr_H5T_IEEE_F32BE(void)     { return global_id("H5T_IEEE_F32BE_g"); }
hid_t htsr_H5T_IEEE_F64LE(void)     { return global_id("H5T_IEEE_F64LE_g"); }
hid_t htsr_H5T_IEEE_F64BE(void)     { return global_id("H5T_IEEE_F64BE_g"); }
hid_t htsr_H5T_C_S1(void)           { return global_id("H5T_C_S1_g"); }
hid_t htsr_H5P_DATASET_CREATE(void) { return global_id("H5P_CLS_DATASET_CREATE_ID_g"); }

// These macros expand to function calls only (H5check_version, H5open), which go through the
// forwarders above; the version check compares the loaded library with these headers.
unsigned htsr_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
unsigned htsr_H5F_ACC_TRUNC(void)  { return H5F_ACC_TRUNC; }
