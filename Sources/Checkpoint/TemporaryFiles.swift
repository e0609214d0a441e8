import Foundation

/// Files and folders being written (temporary files, staging folders), removed when the
/// process is interrupted, so that a Ctrl-C or a `kill` leaves no hidden half-written output
/// behind. Writers register a path before creating it and unregister it once it is renamed into
/// place or removed.
///
/// `installSignalHandlers()` makes SIGINT, SIGTERM and SIGHUP end the process with status 128 +
/// the signal (130, 143, 129) after removing every registered path. The signal handler itself
/// only writes the signal number to a pipe (async-signal-safe); a cleanup thread waiting on the
/// pipe removes the paths with ordinary file calls (folders recursively) and exits. Writers that
/// move several things into place hold `withoutInterruption` meanwhile, so a signal arriving then
/// is handled once the move is complete.
///
/// A command that can stop at a safe point with a resumable state (a training loop) calls
/// `deferInterrupts()`: then the first signal is only recorded (`stopSignal`, polled by the loop,
/// which saves and ends with 128 + the signal), and a second one cleans up and exits at once.
public enum TemporaryFiles {
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var paths: [Int: String] = [:]  // guarded by `lock`
    nonisolated(unsafe) private static var nextSlot = 0                 // guarded by `lock`
    nonisolated(unsafe) private static var stoppers: [Int: @Sendable () -> Void] = [:]  // guarded by `lock`
    /// Whether the first signal is a request to stop (`deferInterrupts`), and the signal that
    /// requested it (0: none yet); guarded by `stopLock` (never `lock`, which a writer may hold).
    private static let stopLock = NSLock()
    nonisolated(unsafe) private static var stopsDeferred = false   // guarded by `stopLock`
    nonisolated(unsafe) private static var requestedStop: Int32 = 0  // guarded by `stopLock`
    /// The write end of the signal pipe (−1 until the handlers are installed).
    // nonisolated(unsafe): written once in `installOnce` before any handler is installed; the handler only reads it
    nonisolated(unsafe) fileprivate static var signalPipe: Int32 = -1
    private static let install: Void = installOnce()

    /// Records `path` (a file or a folder about to be created); returns its slot.
    @discardableResult
    public static func register(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        nextSlot += 1
        paths[nextSlot] = path
        return nextSlot
    }

    /// Forgets the path in `slot` (after it was renamed into place or removed).
    public static func unregister(_ slot: Int?) {
        guard let slot else { return }
        lock.lock(); defer { lock.unlock() }
        paths[slot] = nil
    }

    /// Records `stop`, which ends a child process still writing into a registered path (e.g.
    /// gnuplot drawing into a staged folder); an interrupt calls it before removing the paths,
    /// so the child cannot write a file after the removal. Returns its slot.
    public static func registerStopper(_ stop: @escaping @Sendable () -> Void) -> Int {
        lock.lock(); defer { lock.unlock() }
        nextSlot += 1
        stoppers[nextSlot] = stop
        return nextSlot
    }

    /// Forgets the stopper in `slot` (its child has been reaped).
    public static func unregisterStopper(_ slot: Int) {
        lock.lock(); defer { lock.unlock() }
        stoppers[slot] = nil
    }

    /// The paths registered now (for tests and diagnostics).
    public static var registered: [String] {
        lock.lock(); defer { lock.unlock() }
        return paths.keys.sorted().map { paths[$0]! }
    }

    /// Makes the first SIGINT, SIGTERM or SIGHUP a request to stop (see the type's summary).
    public static func deferInterrupts() {
        installSignalHandlers()
        stopLock.lock(); defer { stopLock.unlock() }
        stopsDeferred = true
    }

    /// The signal that asked a command to stop (after `deferInterrupts`), or nil.
    public static var stopSignal: Int32? {
        stopLock.lock(); defer { stopLock.unlock() }
        return requestedStop == 0 ? nil : requestedStop
    }

    /// Records the first signal when stops are deferred; false when the process should end now.
    private static func recordStop(_ signo: Int32) -> Bool {
        stopLock.lock(); defer { stopLock.unlock() }
        guard stopsDeferred, requestedStop == 0 else { return false }
        requestedStop = signo
        return true
    }

    /// Runs `body` (e.g. renaming a staged folder into place) with interruption cleanup held
    /// off: a signal arriving meanwhile is acted on when `body` returns.
    public static func withoutInterruption<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP (once per process; later calls do
    /// nothing) and unblocks those signals in the calling thread (a parent may have left them
    /// blocked, and threads started later inherit the mask).
    public static func installSignalHandlers() {
        _ = install
    }

    private static func installOnce() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        signalPipe = fds[1]
        let reader = fds[0]
        let cleaner = Thread {
            while true {
                var signo: UInt8 = 0
                while read(reader, &signo, 1) != 1 {}
                if recordStop(Int32(signo)) {
                    FileHandle.standardError.write(Data("\nhtsr: stopping after this step to save a resumable state (again to quit at once)\n".utf8))
                    continue
                }
                cleanUp(exitStatus: 128 + Int32(signo))
            }
        }
        cleaner.name = "htsr-interrupt-cleanup"
        cleaner.start()
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signo in
                var byte = UInt8(truncatingIfNeeded: signo)
                _ = write(TemporaryFiles.signalPipe, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(s, &action, nil)
        }
    }

    /// Removes every registered path and ends the process. The lock is never released, so no
    /// writer registers (or finishes moving) anything after the removal; a second pass catches a
    /// file a writer was creating as the first one ran.
    private static func cleanUp(exitStatus: Int32) -> Never {
        lock.lock()
        for stop in stoppers.values { stop() }
        for pass in 0..<2 {
            if pass > 0 { usleep(20_000) }
            for path in paths.values { try? FileManager.default.removeItem(atPath: path) }
        }
        _exit(exitStatus)
    }
}
