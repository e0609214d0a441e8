import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop at the next safe point instead of at once, for
/// commands that can leave a resumable state: the first signal sets `requested` (the command
/// polls it, saves, and exits with 130); a second one ends the process at once with 130.
final class Interrupt: @unchecked Sendable {  // `flag` guarded by `lock`; the dispatch sources are only touched in init
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for s in [SIGINT, SIGTERM] {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global(qos: .userInteractive))
            source.setEventHandler { [self] in
                lock.lock()
                let again = flag
                flag = true
                lock.unlock()
                if again { _exit(130) }
                FileHandle.standardError.write(Data("\nhtsr: stopping after this step to save a resumable state (again to quit at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool {
        lock.lock(); defer { lock.unlock() }
        return flag
    }
}
