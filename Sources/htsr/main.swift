internal import CStartup
import Checkpoint
import Foundation

// OpenBLAS starts single-threaded: see Sources/CStartup/startup.c.
_ = htsr_startup_linked()
// `htsr hdf5-worker` is htsr reading one HDF5 file for its parent (see HDF5Isolation).
if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == HDF5Isolation.subcommand {
    HDF5Isolation.serve()
}
HDF5Isolation.use(HDF5WorkerSettings.worker())
HTSR.main()
