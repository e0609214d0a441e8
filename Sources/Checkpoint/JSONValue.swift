/// A JSON value that keeps object members in the order written, duplicates included.
///
/// Foundation's `JSONSerialization` returns dictionaries, which lose key order and silently
/// merge duplicate keys; safetensors headers and shard indexes need both.
enum JSONValue: Equatable {
    /// Members in text order; a key may appear more than once.
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    /// A number, kept as its literal text so integers of any size are judged exactly.
    case number(String)
    case bool(Bool)
    case null

    /// The result of reading a number as a non-negative integer.
    enum Integer: Equatable {
        case value(Int)
        /// A literal with a minus sign (`-0` included).
        case negative
        /// An integer literal larger than `Int.max`.
        case tooLarge
        /// Not a number, or a number with a fraction or exponent (`2.0`, `1e3`).
        case notAnInteger
    }

    /// This value as a non-negative integer, judged on the literal (no floating-point rounding).
    var nonNegativeInteger: Integer {
        guard case .number(let text) = self else { return .notAnInteger }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .notAnInteger }
        if text.hasPrefix("-") { return .negative }
        guard let v = Int(text) else { return .tooLarge }
        return .value(v)
    }

    /// A short name of the value's JSON type, for error messages ("a string", "an array", ...).
    var typeName: String {
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
struct JSONMember: Equatable {
    let key: String
    let value: JSONValue
}
