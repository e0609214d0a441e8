internal import CHDF5
import Foundation

/// The one lock around every libhdf5 call: the serial libhdf5 build is not thread-safe.
///
/// The first call also initialises libhdf5, and every call turns off its automatic error
/// printing for the calling thread, so failures surface only as `CheckpointError`s. The lock is
/// recursive because an `HDF5File` may be deallocated (closing its handle under the lock) while
/// the lock is already held, e.g. when opening fails after the file was opened or a file holds
/// no tensors.
enum HDF5Lock {
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var configured = false  // read and written only under `lock`

    /// Runs `body` holding the lock.
    static func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if !configured {
            // No HDF5 file locks (unless the user asks for them): htsr writes to a temporary file
            // renamed into place, and a lock held through a descriptor a concurrently started
            // child process inherited made an unrelated open fail ("unable to lock file").
            setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0)
            _ = H5open()
            configured = true
        }
        // Debian's libhdf5 is built thread-safe, which makes the automatic error printing a
        // per-thread setting: silence it on whichever thread is calling.
        htsr_H5_silence_errors()
        return try body()
    }

    /// The most specific message on libhdf5's error stack (call with the lock held, right
    /// after the failing call), or a generic text when the stack is empty.
    static func lastErrorMessage() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        htsr_H5E_innermost(&buf)
        let text = String(cString: buf)
        return text.isEmpty ? "libhdf5 call failed" : text
    }
}
