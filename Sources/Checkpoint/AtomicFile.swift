import Foundation

/// Writes files atomically: into a temporary file in the same folder
/// (`.<name>.tmp-<pid>-<random>`), then `rename` over `path`, so a reader never sees a
/// half-written file, an existing file is replaced only by a complete one, and a failure
/// leaves nothing behind. The one writer of small whole-file outputs (reports, JSON, CSV,
/// `.npy`, scripts) for every module.
public enum AtomicFile {
    /// Writes `data` to `path`, replacing any file there.
    /// - Throws: `OutputError` naming `path` when the folder is missing or not writable, or the
    ///   rename fails.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        // Removed by an interrupt too (TemporaryFiles), so no `.tmp` is ever left behind.
        let slot = TemporaryFiles.register(tmp.path)
        defer { TemporaryFiles.unregister(slot) }
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                let message = String(cString: strerror(errno))
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: message])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw OutputError(file: path, problem: "cannot write: \(FileProblem.text(error))")
        }
    }

    /// Writes `text` as UTF-8 to `path` (see `write(_:to:)`).
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// An output file could not be written (or an output-side file, such as a `.npy` of
/// eigenvalues, could not be read back): the file and the problem, for a one-line message.
public struct OutputError: Error, CustomStringConvertible {
    public let file: String
    public let problem: String
    public var description: String { "\(file): \(problem)" }

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }
}
