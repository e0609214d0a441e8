import Checkpoint
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
// SIGINT, SIGTERM and SIGHUP remove every staging folder and temporary file, then exit 130/143/129.
TemporaryFiles.installSignalHandlers()
do {
    var command = try HTSR.parseAsRoot()
    do {
        try command.run()
    } catch {
        // A library setting that only fails once the run has its data (e.g. --t-train against
        // the file's frames) is a usage error too, named with this command's flags.
        let names = (type(of: command) as? NamesSettings.Type)?.flagNames ?? FlagNames()
        throw UsageErrors.usageError(error, names) ?? error
    }
} catch {
    Failure.exit(error)
}
