import ArgumentParser
import Checkpoint
import Foundation

/// How `htsr` ends on an error: one line on standard error and an exit status that says what
/// kind of problem it was (README, "Exit status").
///
/// - usage errors (bad arguments, a setting outside its range): `Error: MESSAGE`, status 64 —
///   without ArgumentParser's usage block, so every error is one line;
/// - an input or output that cannot be used: `Error: PATH: PROBLEM`, status 1; Foundation's
///   file errors are reworded (`FileProblem`), never dumped;
/// - `ExitCode` (3: layers with NaN/Inf weights; 128 + signal after an interrupt) ends silently;
/// - `--help` and `--version` print as usual.
enum Failure {
    static func exit(_ error: Error) -> Never {
        if error is ExitCode {
            HTSR.exit(withError: error)
        }
        let code = HTSR.exitCode(for: error)
        if code == .success {
            HTSR.exit(withError: error)  // --help, --version
        }
        let message = FileProblem.describe(error) ?? HTSR.message(for: error)
        FileHandle.standardError.write(Data("Error: \(oneLine(message))\n".utf8))
        Foundation.exit(code.rawValue)
    }

    /// `text` on one line: line breaks and runs of spaces become one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
