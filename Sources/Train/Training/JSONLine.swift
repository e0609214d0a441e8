import Checkpoint
import Foundation

/// A JSON value with ordered object keys, for the training log (one object per line).
public indirect enum JSONLine: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A finite number; NaN and ±∞ are written as null.
    case number(Double)
    case string(String)
    case array([JSONLine])
    case object([(String, JSONLine)])
    /// Text that is already valid compact JSON.
    case raw(String)

    public static func == (a: JSONLine, b: JSONLine) -> Bool { a.text == b.text }

    /// `.number(v)` or `.null` when v is nil.
    public static func optional(_ v: Double?) -> JSONLine { v.map { .number($0) } ?? .null }

    /// Compact JSON text (no line breaks).
    public var text: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .number(d): return d.isFinite ? Self.format(d) : "null"
        case let .string(s): return JSONText.quoted(s)
        case let .array(a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case let .object(o): return "{" + o.map { JSONText.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        case let .raw(r): return r
        }
    }

    /// The shortest text that reads back as the same Double (integers without ".0").
    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }


    /// A Codable value (e.g. the run's options) as compact JSON, keys sorted.
    public static func encoding<T: Encodable>(_ value: T) throws -> JSONLine {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .raw(String(decoding: try e.encode(value), as: UTF8.self))
    }
}

/// Appends JSON lines to a file, flushing each line (a resumed run appends to the same file).
public final class JSONLineWriter {
    private let handle: FileHandle
    public let path: String

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

    public func write(_ line: JSONLine) throws {
        do { try handle.write(contentsOf: Data((line.text + "\n").utf8)); try handle.synchronize() }
        catch { throw TrainError.output(file: path, problem: "cannot write: \(error.localizedDescription)") }
    }
}

