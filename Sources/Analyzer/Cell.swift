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
        case let .double(d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }
}

extension Cell: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([Int].self) { self = .ints(a) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number, string or integer list") }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(i): try c.encode(i)
        case let .double(d): if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
        case let .string(s): try c.encode(s)
        case let .ints(a): try c.encode(a)
        case .null: try c.encodeNil()
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

/// A coding key for rows whose keys are only known at run time.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Row: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys { set(key.stringValue, try c.decode(Cell.self, forKey: key)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for key in keys { try c.encode(values[key]!, forKey: AnyKey(key)) }
    }
}
