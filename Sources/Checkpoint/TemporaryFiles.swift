import Foundation

/// Temporary files being written (by `HDF5Writer`), removed if the process is interrupted, so
/// that a Ctrl-C during a long generation leaves no hidden half-written file behind.
///
/// Paths live in a fixed table of C strings, so the signal handler reads no Swift objects and
/// calls only `unlink` and `_exit`, which are async-signal-safe.
public enum TemporaryFiles {
    static let capacity = 64
    // nonisolated(unsafe): a C table the signal handler must read without locks (entries set under `lock`)
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    private static let lock = NSLock()

    /// Records `path`; returns its slot (nil when the table is full: the file is then simply
    /// not cleaned up on a signal).
    static func register(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return i
        }
        return nil
    }

    /// Forgets the file in `slot` (after it was renamed or removed).
    static func unregister(_ slot: Int?) {
        guard let slot else { return }
        lock.lock(); defer { lock.unlock() }
        let p = slots[slot]
        slots[slot] = nil
        free(p)
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every registered file and
    /// exit with status 128 + the signal number, as a shell reports an interrupted command, and
    /// unblocks those signals in the calling thread (a parent may have left them blocked, and
    /// threads started later inherit the mask).
    public static func installSignalHandlers() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { signo in
                for i in 0..<TemporaryFiles.capacity {
                    if let p = TemporaryFiles.slots[i] { unlink(p) }
                }
                _exit(128 + signo)
            }
        }
    }
}
