import Checkpoint

/// One value of an output row: what a JSON field or a CSV cell holds.
public enum Cell: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case null

    /// A double or nil; `nil` doubles and non-finite values become `.null`.
    static func number(_ x: Double?) -> Cell {
        guard let x, x.isFinite else { return .null }
        return .double(x)
    }

    /// The value as a Double, if it is numeric.
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d): return Int(exactly: d)  // nil for fractions and values beyond Int
        default: return nil
        }
    }
}

extension Cell {
    /// The cell as a JSON value: integers and doubles as numbers (a non-finite double as
    /// `null`), an integer list as an array.
    public var json: JSONValue {
        switch self {
        case let .int(i): return .int(i)
        case let .double(d): return .double(d)
        case let .string(s): return .string(s)
        case let .ints(a): return .array(a.map { .int($0) })
        case .null: return .null
        }
    }

    /// The cell a JSON value holds: a number is `.int` when its literal is an integer that fits,
    /// else `.double`; nil for booleans, objects, non-integer arrays and numbers out of range.
    public init?(json: JSONValue) {
        switch json {
        case .null: self = .null
        case let .string(s): self = .string(s)
        case let .number(text):
            if let i = Int(text) { self = .int(i) } else if let d = json.doubleValue { self = .double(d) } else { return nil }
        case let .array(elements):
            var values: [Int] = []
            for e in elements {
                guard case let .number(text) = e, let i = Int(text) else { return nil }
                values.append(i)
            }
            self = .ints(values)
        case .bool, .object: return nil
        }
    }
}

/// An ordered list of named cells: one output row.
public struct Row: Sendable, Equatable {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: Cell] = [:]

    public init() {}

    public mutating func set(_ key: String, _ value: Cell) {
        if values[key] == nil { keys.append(key) }
        values[key] = value
    }

    public subscript(key: String) -> Cell? { values[key] }
}

extension Row {
    /// The row as a JSON object, columns in order.
    public var json: JSONValue { .object(keys.map { JSONMember(key: $0, value: values[$0]!.json) }) }

    /// A row from a JSON object (the first of duplicate keys wins).
    /// - Throws: `DecodingError` naming the first member that is not a cell (a number, a string,
    ///   an integer list or null), or when `json` is not an object.
    public init(json: JSONValue, codingPath: [any CodingKey] = []) throws {
        guard case let .object(members) = json else {
            throw DecodingError.typeMismatch(Row.self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(json.typeName)"))
        }
        for m in members where values[m.key] == nil {
            guard let cell = Cell(json: m.value) else {
                throw DecodingError.typeMismatch(Cell.self, .init(codingPath: codingPath + [JSONKey(m.key)],
                                                                  debugDescription: "expected a number, a string, an integer list or null, found \(m.value.typeName)"))
            }
            set(m.key, cell)
        }
    }
}

/// Rows inside Codable reports go through their JSON value (`JSONValueEncoder` takes it as is).
extension Row: Codable {
    public init(from decoder: any Decoder) throws { try self.init(json: JSONValue(from: decoder), codingPath: decoder.codingPath) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
