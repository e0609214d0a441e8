import Checkpoint
internal import CStartup

// OpenBLAS starts single-threaded: see Sources/CStartup/startup.c.
_ = htsr_startup_linked()
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
