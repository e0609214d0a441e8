import Foundation

/// Writing to standard error, and a progress line that only appears on a terminal.
enum Terminal {
    static let stderrIsTerminal = isatty(STDERR_FILENO) != 0

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("htsr: \(message)\n".utf8))
    }

    /// A single progress line, rewritten in place (only when stderr is a terminal).
    final class ProgressLine: @unchecked Sendable {  // immutable but for writes serialised by `lock`
        private let lock = NSLock()
        private let enabled: Bool
        private let prefix: String

        init(prefix: String, enabled: Bool = Terminal.stderrIsTerminal) {
            self.prefix = prefix
            self.enabled = enabled
        }

        func update(_ done: Int, _ total: Int, _ name: String) {
            guard enabled else { return }
            lock.lock(); defer { lock.unlock() }
            let line = "\(prefix) [\(done)/\(total)] \(name)"
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(line.prefix(120))).utf8))
        }

        func finish() {
            guard enabled else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }
}
