import Checkpoint
import Foundation

/// Reading whole files for the text loaders, with the errors they report.
enum TextFiles {
    /// Files larger than this are refused (a lie in a size must not become an allocation).
    static let maximumBytes = 4 << 30

    /// The bytes of `path` (`-` is standard input), at most `maximumBytes` and the memory
    /// budget (`MemoryBudget.current`), checked before the bytes are held.
    static func read(_ path: String, what: String = "file") throws -> [UInt8] {
        let limit = min(maximumBytes, MemoryBudget.current.bytes)
        if path == "-" {
            var bytes: [UInt8] = []
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                guard bytes.count + chunk.count <= limit else {
                    throw TextError(.unusableData, file: path, message: "standard input holds more than the limit of \(limit) bytes")
                }
                bytes += chunk
            }
            return bytes
        }
        do {
            return try InputFile.read(path, limit: limit)
        } catch let e as CheckpointError where e.kind == .tooLarge && limit < maximumBytes {
            throw TextError(.unusableData, file: path, message: "\(e.message), the memory budget (\(MemoryBudget.current))")
        } catch let e as CheckpointError {
            throw TextError(e, what: what)
        }
    }

    /// `bytes` parsed as one JSON document; a syntax error names the byte offset.
    static func parseJSON(_ bytes: [UInt8], file: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch let e as JSONSyntaxError {
            throw TextError(.malformedTokenizer, file: file, message: "not valid JSON: \(e.message) at byte \(e.offset)")
        }
    }
}

/// Typed access to the fields of a JSON configuration file, throwing errors that name the file and
/// the field's dotted path (`model.vocab`, `post_processor.single[1]`).
struct JSONFields {
    let file: String
    let path: String
    let value: JSONValue

    init(file: String, path: String = "", value: JSONValue) {
        self.file = file
        self.path = path
        self.value = value
    }

    func fail(_ message: String, kind: TextError.Kind = .malformedTokenizer) -> TextError {
        TextError(kind, file: file, message: path.isEmpty ? message : "\(path): \(message)")
    }

    private func expected(_ what: String) -> TextError {
        fail("expected \(what), found \(value.typeName)")
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key` of this object (nil when absent or null); throws when this is not an object.
    func member(_ key: String) throws -> JSONFields? {
        guard case .object(let members) = value else { throw expected("an object") }
        guard let v = members.last(where: { $0.key == key })?.value, v != .null else { return nil }
        return JSONFields(file: file, path: childPath(key), value: v)
    }

    /// The member `key`, which must be present and not null.
    func required(_ key: String) throws -> JSONFields {
        guard let m = try member(key) else { throw fail("missing field \(key)") }
        return m
    }

    var string: String {
        get throws {
            guard case .string(let s) = value else { throw expected("a string") }
            return s
        }
    }

    var bool: Bool {
        get throws {
            guard case .bool(let b) = value else { throw expected("true or false") }
            return b
        }
    }

    /// A non-negative integer that fits an Int32 (token ids, type ids).
    var id: Int32 {
        get throws {
            guard case .value(let v) = value.nonNegativeInteger, v <= Int(Int32.max) else {
                throw expected("a non-negative integer below 2³¹")
            }
            return Int32(v)
        }
    }

    /// A non-negative integer.
    var count: Int {
        get throws {
            guard case .value(let v) = value.nonNegativeInteger else { throw expected("a non-negative integer") }
            return v
        }
    }

    var array: [JSONFields] {
        get throws {
            guard case .array(let a) = value else { throw expected("an array") }
            return a.enumerated().map { JSONFields(file: file, path: "\(path)[\($0.offset)]", value: $0.element) }
        }
    }

    var members: [(key: String, value: JSONFields)] {
        get throws {
            guard case .object(let m) = value else { throw expected("an object") }
            return m.map { ($0.key, JSONFields(file: file, path: childPath($0.key), value: $0.value)) }
        }
    }

    /// A token given as a string or as an object with `content` (transformers' `AddedToken` form).
    var tokenContent: String {
        get throws {
            if case .string(let s) = value { return s }
            guard case .object = value else { throw expected("a string or an object with content") }
            return try required("content").string
        }
    }
}

extension TextError {
    /// `InputFile`'s error for a text input, in the Text module's kinds (a folder, FIFO or
    /// device where a file is read counts as not found: there is no such file).
    init(_ e: CheckpointError, what: String) {
        switch e.kind {
        case .notFound: self.init(.notFound, file: e.file, message: "no such \(what)")
        case .notAFile: self.init(.notFound, file: e.file, message: e.message)
        case .tooLarge: self.init(.unusableData, file: e.file, message: e.message)
        default: self.init(.io, file: e.file, message: e.message)
        }
    }
}
