import Checkpoint
import Foundation

/// How `htsr` reads HDF5 files: through a worker process that is htsr itself
/// (`htsr hdf5-worker`, see `HDF5Isolation`).
///
/// `HTSR_HDF5_TIME_LIMIT` (seconds, default 30) sets the time every request to the worker may
/// take, before the allowance for the bytes it returns; the tests shorten it to meet a hanging
/// file quickly.
enum HDF5WorkerSettings {
    static func worker(environment: [String: String] = ProcessInfo.processInfo.environment) -> HDF5Isolation.Worker {
        let executable = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
        var limits = HDF5Isolation.Limits()
        if let text = environment["HTSR_HDF5_TIME_LIMIT"] {
            guard let s = Double(text), s.isFinite, s > 0, s <= 86_400 else {
                Terminal.error("HTSR_HDF5_TIME_LIMIT must be a number of seconds in (0, 86400]; got '\(text)'")
                exit(64)
            }
            limits.seconds = s
        }
        return HDF5Isolation.Worker(executable: executable, limits: limits)
    }
}
