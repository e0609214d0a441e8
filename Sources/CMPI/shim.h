// MPI (OpenMPI or MPICH, through pkg-config's mpi-c) for the optional MPI build of htsr
// (`swift build --traits MPI`). MPI's handles and constants are macros Swift cannot import, so
// they are wrapped here.
#ifndef HTSR_CMPI_SHIM_H
#define HTSR_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm htsr_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype htsr_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype htsr_mpi_int(void) { return MPI_INT; }
static inline MPI_Op htsr_mpi_max(void) { return MPI_MAX; }
static inline MPI_Info htsr_mpi_info_null(void) { return MPI_INFO_NULL; }
static const int htsr_MPI_ANY_SOURCE = MPI_ANY_SOURCE;
static const int htsr_MPI_ANY_TAG = MPI_ANY_TAG;
static const int htsr_MPI_THREAD_FUNNELED = MPI_THREAD_FUNNELED;
static const int htsr_MPI_COMM_TYPE_SHARED = MPI_COMM_TYPE_SHARED;
static const int htsr_MPI_SUCCESS = MPI_SUCCESS;
static const int htsr_MPI_MAX_PROCESSOR_NAME = MPI_MAX_PROCESSOR_NAME;
#endif
