// A byte-flip sweep over small HDF5 files with the system libhdf5: for every byte of each file
// and three replacement values (0x00, 0xFF, the byte with its low bit flipped), write the corrupted copy, and in a forked child open it and
// read it the way htsr does (walk the groups by link index, open every object, read the
// datasets' types, shapes, layouts and storage, read them whole as double, read every
// attribute); the child has a time limit. Counts per outcome, and the files that crash or hang
// libhdf5 are kept (`Scripts/hdf5-flip-sweep` builds and runs this).
//
//   hdf5-flip-sweep OUT_DIR SECONDS FILE...
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hdf5.h>

static int depth_limit = 64;

static void read_attributes(hid_t obj) {
    int n = H5Aget_num_attrs(obj);
    for (int i = 0; i < n && i < 1000; i++) {
        hid_t a = H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i, H5P_DEFAULT, H5P_DEFAULT);
        if (a < 0) continue;
        hid_t t = H5Aget_type(a);
        hid_t s = H5Aget_space(a);
        hssize_t count = H5Sget_simple_extent_npoints(s);
        if (t >= 0 && H5Tget_class(t) == H5T_STRING && count > 0 && count < 100000) {
            if (H5Tis_variable_str(t) > 0) {
                hid_t m = H5Tcopy(H5T_C_S1);
                H5Tset_size(m, H5T_VARIABLE);
                char **p = calloc((size_t)count, sizeof(char *));
                if (H5Aread(a, m, p) >= 0) for (hssize_t k = 0; k < count; k++) free(p[k]);
                free(p);
                H5Tclose(m);
            } else {
                size_t size = H5Tget_size(t);
                if (size > 0 && size < (1 << 20)) {
                    hid_t m = H5Tcopy(t);
                    char *buf = malloc((size_t)count * size);
                    if (buf) H5Aread(a, m, buf);
                    free(buf);
                    H5Tclose(m);
                }
            }
        }
        if (s >= 0) H5Sclose(s);
        if (t >= 0) H5Tclose(t);
        H5Aclose(a);
    }
}

static void read_dataset(hid_t d) {
    hid_t t = H5Dget_type(d);
    hid_t s = H5Dget_space(d);
    hid_t p = H5Dget_create_plist(d);
    if (p >= 0) {
        H5Pget_layout(p);
        H5Pget_external_count(p);
        H5Pget_nfilters(p);
        H5Pclose(p);
    }
    H5Dget_storage_size(d);
    H5Dget_offset(d);
    hssize_t n = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    if (t >= 0 && (H5Tget_class(t) == H5T_FLOAT || H5Tget_class(t) == H5T_INTEGER) && n > 0 && n < (1 << 24)) {
        double *buf = malloc((size_t)n * sizeof(double));
        if (buf) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(buf);
    }
    read_attributes(d);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
}

static void walk(hid_t g, int depth) {
    if (depth > depth_limit) return;
    read_attributes(g);
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0) return;
    for (hsize_t i = 0; i < info.nlinks && i < 10000; i++) {
        ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (len < 0 || len > 65536) continue;
        char *name = malloc((size_t)len + 1);
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, (size_t)len + 1, H5P_DEFAULT) < 0) { free(name); continue; }
        H5L_info_t li;
        if (H5Lget_info(g, name, &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD) { free(name); continue; }
        hid_t o = H5Oopen(g, name, H5P_DEFAULT);
        if (o >= 0) {
            H5I_type_t type = H5Iget_type(o);
            if (type == H5I_GROUP) walk(o, depth + 1);
            else if (type == H5I_DATASET) read_dataset(o);
            H5Oclose(o);
        }
        free(name);
    }
}

static int read_file(const char *path) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 1;
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    if (root >= 0) { walk(root, 0); H5Gclose(root); }
    H5Fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s OUT_DIR SECONDS FILE...\n", argv[0]); return 64; }
    const char *out = argv[1];
    int seconds = atoi(argv[2]);
    mkdir(out, 0755);
    // Initialise libhdf5 once: every forked child inherits it.
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char scratch[4096];
    snprintf(scratch, sizeof scratch, "%s/case.h5", out);
    long total = 0, ok = 0, errors = 0, crashes = 0, hangs = 0;
    for (int k = 3; k < argc; k++) {
        FILE *fh = fopen(argv[k], "rb");
        if (!fh) { perror(argv[k]); return 1; }
        fseek(fh, 0, SEEK_END);
        long size = ftell(fh);
        fseek(fh, 0, SEEK_SET);
        unsigned char *original = malloc((size_t)size);
        if (fread(original, 1, (size_t)size, fh) != (size_t)size) { perror(argv[k]); return 1; }
        fclose(fh);
        const char *base = strrchr(argv[k], '/') ? strrchr(argv[k], '/') + 1 : argv[k];
        long fileCrashes = 0, fileHangs = 0, fileCases = 0;
        for (long offset = 0; offset < size; offset++) {
            unsigned char values[3] = {0x00, 0xFF, (unsigned char)(original[offset] ^ 0x01)};
            for (int v = 0; v < 3; v++) {
                if (values[v] == original[offset] || (v > 0 && memchr(values, values[v], (size_t)v))) continue;
                unsigned char saved = original[offset];
                original[offset] = values[v];
                int fd = open(scratch, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (write(fd, original, (size_t)size) != size) { perror("write"); return 1; }
                close(fd);
                total++; fileCases++;
                pid_t pid = fork();
                if (pid == 0) {
                    struct rlimit core = {0, 0}, mem = {1UL << 31, 1UL << 31};
                    setrlimit(RLIMIT_CORE, &core);
                    setrlimit(RLIMIT_AS, &mem);
                    alarm((unsigned)seconds);
                    _exit(read_file(scratch));
                }
                int status = 0;
                waitpid(pid, &status, 0);
                const char *kind = NULL;
                if (WIFEXITED(status)) { if (WEXITSTATUS(status) == 0) ok++; else errors++; }
                else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) { hangs++; fileHangs++; kind = "hang"; }
                else { crashes++; fileCrashes++; kind = "crash"; }
                if (kind) {
                    char keep[4096];
                    snprintf(keep, sizeof keep, "%s/%s-%s-at-%ld-%02x.h5", out, kind, base, offset, values[v]);
                    rename(scratch, keep);
                    printf("%s %s offset %ld: %02x -> %02x (signal %d)\n", kind, base, offset, saved, values[v],
                           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
                    fflush(stdout);
                }
                original[offset] = saved;
            }
        }
        printf("file %s: %ld bytes, %ld cases, %ld crashes, %ld hangs\n", base, size, fileCases, fileCrashes, fileHangs);
        fflush(stdout);
        free(original);
    }
    unlink(scratch);
    printf("total: %ld cases: %ld read, %ld errors, %ld crashes, %ld hangs\n", total, ok, errors, crashes, hangs);
    return 0;
}
