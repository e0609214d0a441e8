import Checkpoint
import Foundation

/// Writes a training log (`TrainingLog`'s format) line by line, each line flushed to disk so a
/// log can be read while the run goes on; a resumed run appends to its log.
public final class TrainingLogWriter {
    private let handle: FileHandle
    public let path: String

    /// Opens `path`: a new, empty file unless `append` and it exists.
    /// - Throws: `TrainError.output` naming the file.
    public init(path: String, append: Bool) throws {
        self.path = path
        let fm = FileManager.default
        if !append || !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw TrainError.output(file: path, problem: "cannot create the log file")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainError.output(file: path, problem: "cannot open the log file") }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public func write(_ run: TrainingLog.Run) throws { try append(run.json) }
    public func write(_ interval: TrainingLog.Interval) throws { try append(interval.json) }
    public func write(_ final: TrainingLog.Final) throws { try append(final.json) }

    private func append(_ line: JSONValue) throws {
        do { try handle.write(contentsOf: Data((line.text() + "\n").utf8)); try handle.synchronize() }
        catch { throw TrainError.output(file: path, problem: "cannot write: \(FileProblem.text(error))") }
    }
}
