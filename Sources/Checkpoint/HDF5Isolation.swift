internal import CHDF5
import Foundation

/// Reading HDF5 files in a worker process, so that a corrupt file cannot take htsr down.
///
/// The system libhdf5 (1.10.8 on Debian 12) segfaults, aborts or loops forever on some
/// single-byte corruptions of a file (`fixtures/hdf5/` keeps the ones found). With a worker
/// set (`use(_:)`; the `htsr` executable sets itself, re-executed as `htsr hdf5-worker`), every
/// HDF5 file — Keras `.h5`/`.weights.h5`, the weights inside a `.keras` archive, PDE data
/// files — is opened, walked and read by a child process that serves requests over a socket:
/// opening returns the tensor list, reads return the converted values (Float or Double). The
/// child runs with:
/// - a time limit per request (`Limits.timeLimit(bytes:)`): past it, the parent kills it;
/// - an address-space limit (`RLIMIT_AS`): what it uses when the request starts plus
///   `Limits.memory` and twice the bytes asked for;
/// - no core files, no file writes, and death with its parent (`PR_SET_PDEATHSIG`).
/// A crash, a hang or an answer out of protocol becomes one `CheckpointError(.hdf5)`:
/// "`FILE`: unreadable HDF5 (libhdf5 crashed: signal 11, SIGSEGV)" or "(… timed out after
/// 30 s)"; the file stays unreadable afterwards (no second worker is tried).
///
/// Without a worker (library users, unit tests), files are read in this process under
/// `HDF5Lock`, by the same code.
public enum HDF5Isolation {
    /// How a worker process is started, and its limits.
    public struct Worker: Sendable, Equatable {
        /// An executable that calls `HDF5Isolation.serve()` when started with `arguments`.
        public var executable: String
        public var arguments: [String]
        public var limits: Limits
        /// Keep the process when a file read through it is closed, and open the next file in it
        /// (one process for many files, one at a time). A crash, a timeout or an answer out of
        /// protocol still ends the process, and the next file starts a new one. Off by default:
        /// htsr starts one process per file, so that no two files share a libhdf5. The fuzzer's
        /// harness turns it on (a process start per input would cost more than the input).
        public var reuse: Bool

        public init(executable: String, arguments: [String] = [HDF5Isolation.subcommand], limits: Limits = Limits(),
                    reuse: Bool = false) {
            self.executable = executable
            self.arguments = arguments
            self.limits = limits
            self.reuse = reuse
        }
    }

    /// A worker's time and memory limits.
    public struct Limits: Sendable, Equatable {
        /// Seconds every request may take (opening and walking a file, or a read)…
        public var seconds: Double
        /// … plus one second per this many bytes a read returns (a slow gzip-filtered read
        /// of a large dataset on a loaded machine is not a hang).
        public var bytesPerSecond: Double
        /// Address space a worker may take beyond what it holds when a request starts, plus
        /// twice the bytes of a read.
        public var memory: Int

        public init(seconds: Double = 30, bytesPerSecond: Double = 32 * 1024 * 1024, memory: Int = 1 << 30) {
            self.seconds = seconds
            self.bytesPerSecond = bytesPerSecond
            self.memory = memory
        }

        /// Seconds a request returning `bytes` bytes may take.
        public func timeLimit(bytes: Int) -> Double { seconds + Double(bytes) / bytesPerSecond }
    }

    /// The hidden subcommand that makes `htsr` a worker.
    public static let subcommand = "hdf5-worker"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: Worker?  // guarded by `lock`

    /// Reads HDF5 files through `worker` from now on (nil: in this process). Files already
    /// open keep the way they were opened.
    public static func use(_ worker: Worker?) {
        lock.lock()
        current = worker
        lock.unlock()
    }

    /// The worker files are read through, or nil for in-process reading.
    public static var worker: Worker? {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// The worker's main loop: serves the requests arriving on descriptor 3 until the parent
    /// closes it, then exits. Call it first thing when the executable is started with
    /// `subcommand`; started any other way (no socket on descriptor 3), it prints one line
    /// and exits with status 64.
    public static func serve() -> Never {
        guard htsr_worker_is_channel(3) == 1 else {
            FileHandle.standardError.write(Data("htsr: \(subcommand) is started by htsr itself to read HDF5 files, not by hand\n".utf8))
            exit(64)
        }
        htsr_worker_arm()
        var server = HDF5WorkerServer(fd: 3)
        server.run()
        exit(0)
    }
}
