/// A JSON value that keeps object members in the order written, duplicates included.
///
/// Foundation's `JSONSerialization` returns dictionaries, which lose key order and silently
/// merge duplicate keys; safetensors headers and shard indexes need both.
public enum JSONValue: Sendable, Equatable {
    /// Members in text order; a key may appear more than once.
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    /// A number, kept as its literal text so integers of any size are judged exactly.
    case number(String)
    case bool(Bool)
    case null

    /// The result of reading a number as a non-negative integer.
    public enum Integer: Sendable, Equatable {
        case value(Int)
        /// A literal with a minus sign (`-0` included).
        case negative
        /// An integer literal larger than `Int.max`.
        case tooLarge
        /// Not a number, or a number with a fraction or exponent (`2.0`, `1e3`).
        case notAnInteger
    }

    /// This value as a non-negative integer, judged on the literal (no floating-point rounding).
    public var nonNegativeInteger: Integer {
        guard case .number(let text) = self else { return .notAnInteger }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .notAnInteger }
        if text.hasPrefix("-") { return .negative }
        guard let v = Int(text) else { return .tooLarge }
        return .value(v)
    }

    /// A short name of the value's JSON type, for error messages ("a string", "an array", ...).
    public var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public let key: String
    public let value: JSONValue
    public init(key: String, value: JSONValue) { self.key = key; self.value = value }
}

extension JSONValue {
    /// The value of the first member named `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    /// The number as a Double (nil for non-numbers and for literals that overflow to infinity).
    public var doubleValue: Double? {
        guard case .number(let text) = self, let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// The boolean, if this is `true` or `false`.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// The members in text order, if this is an object.
    public var objectMembers: [JSONMember]? { if case .object(let m) = self { return m } else { return nil } }
}
