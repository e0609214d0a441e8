import Checkpoint
import Foundation

/// A training log that cannot be read: the file, the line (1-based) when one is to blame, and
/// the problem; prints as one line, `log.jsonl:7: not a JSON object`.
public struct TrainingLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var problem: String
    public init(file: String, line: Int?, problem: String) { self.file = file; self.line = line; self.problem = problem }
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(problem)" }
}

extension TrainingLog {
    /// Reads and checks a log.
    ///
    /// - Throws: `TrainingLogError` naming the file (and line): an unreadable file, a line that is
    ///   not a JSON object, a first line that is not a `run` of this format and version, an
    ///   `interval` without an integer `step`, a file without a `run` line.
    public static func load(_ path: String) throws -> TrainingLog {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: 1 << 32) } catch let e as CheckpointError {
            throw TrainingLogError(file: path, line: nil, problem: e.message)
        }
        return try parse(Data(bytes), file: path)
    }

    /// Parses the bytes of a log; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> TrainingLog {
        func fail(_ line: Int?, _ problem: String) -> TrainingLogError { TrainingLogError(file: file, line: line, problem: problem) }
        var run: Run?
        var intervals: [Interval] = []
        var final: Final?
        for (k, rawLine) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = k + 1
            if rawLine.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard let object = try? JSONParser.parse([UInt8](rawLine)), object.objectMembers != nil else {
                throw fail(number, "not a JSON object (each line of a training log is one)")
            }
            let kind = object["kind"]?.stringValue
            guard run != nil else {
                guard kind == "run" else { throw fail(number, "the first line must have \"kind\": \"run\"") }
                let format = object["format"]?.stringValue
                guard format == formatName else {
                    throw fail(number, "not an htsr training log (format is '\(format ?? "missing")', expected '\(formatName)')")
                }
                let version = integer(object["version"])
                guard version == currentVersion else {
                    throw fail(number, "training log version \(version.map(String.init) ?? "missing") is not supported (this htsr reads version \(currentVersion))")
                }
                run = Run(json: object)
                continue
            }
            switch kind {
            case "interval":
                guard let interval = Interval(json: object) else { throw fail(number, "an interval needs an integer \"step\"") }
                intervals.append(interval)
            case "final": final = Final(json: object)
            default: continue
            }
        }
        guard let run else { throw fail(nil, "empty training log (no \"run\" line)") }
        return TrainingLog(file: file, run: run, intervals: intervals, final: final)
    }
}
