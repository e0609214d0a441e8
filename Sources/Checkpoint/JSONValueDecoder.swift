/// Decodes `Decodable` values from a `JSONValue` (what `JSONParser` read): the other half of the
/// Codable bridge to the one JSON type.
///
/// Strict like `JSONDecoder`: a boolean is never a number, a number never a string. An integer
/// type takes a literal whose value is an integer in its range (`3`, `3.0`, `3e0`); a Double or
/// Float takes any finite number. `allKeys` lists an object's keys in text order (the first of
/// duplicates). Errors are `DecodingError`s with the coding path; `describe(_:)` turns them into
/// one line.
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// Decodes a `T` from `value`.
    /// - Throws: `DecodingError` naming the path of the first field that does not fit.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder.decode(type, from: value, codingPath: [])
    }

    /// A decoding error as one line: `'layers[2].num_evals': expected an integer, found a string`.
    public static func describe(_ error: any Error) -> String {
        func path(_ p: [any CodingKey]) -> String {
            var s = ""
            for k in p { s += k.intValue.map { "[\($0)]" } ?? (s.isEmpty ? "" : ".") + k.stringValue }
            return s.isEmpty ? "the top level" : "'\(s)'"
        }
        switch error as? DecodingError {
        case let .typeMismatch(_, c)?, let .valueNotFound(_, c)?, let .dataCorrupted(c)?:
            return "\(path(c.codingPath)): \(c.debugDescription)"
        case let .keyNotFound(key, c)?: return "\(path(c.codingPath)): no '\(key.stringValue)'"
        default: return "\(error)"
        }
    }
}

/// The `Decoder` handed to `init(from:)`.
struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
        if let v = value as? T { return v }
        return try T(from: ValueDecoder(value: value, codingPath: codingPath))
    }

    static func mismatch(_ expected: String, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
        .typeMismatch(JSONValue.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeName)"))
    }

    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case let .bool(b) = value else { throw mismatch("a boolean", value, path) }
        return b
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case let .string(s) = value else { throw mismatch("a string", value, path) }
        return s
    }

    static func float<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: JSONValue, _ path: [any CodingKey]) throws -> F {
        guard case let .number(text) = value else { throw mismatch("a number", value, path) }
        guard let f = F(text), f.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(text) does not fit in \(F.self)"))
        }
        return f
    }

    static func integer<I: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> I {
        guard case let .number(text) = value else { throw mismatch("an integer", value, path) }
        if let i = I(text) { return i }
        if let d = Double(text), d == d.rounded(), let i = I(exactly: d) { return i }
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(text) is not an integer that fits in \(I.self)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(members) = value else { throw Self.mismatch("an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(elements) = value else { throw Self.mismatch("an array", value, codingPath) }
        return UnkeyedValueContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(value: value, codingPath: codingPath) }
}

struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [JSONMember]
    let codingPath: [any CodingKey]
    /// Key → index of its first member.
    private let index: [String: Int]

    init(members: [JSONMember], codingPath: [any CodingKey]) {
        self.members = members
        self.codingPath = codingPath
        var index: [String: Int] = [:]
        for (k, m) in members.enumerated() where index[m.key] == nil { index[m.key] = k }
        self.index = index
    }

    var allKeys: [Key] { members.enumerated().filter { index[$0.element.key] == $0.offset }.compactMap { Key(stringValue: $0.element.key) } }
    func contains(_ key: Key) -> Bool { index[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let k = index[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no '\(key.stringValue)'"))
        }
        return members[k].value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.decode(type, from: value(key), codingPath: codingPath + [key])
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try ValueDecoder.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try ValueDecoder.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try ValueDecoder.float(value(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try ValueDecoder.float(value(key), codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try ValueDecoder.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try ValueDecoder.integer(value(key), codingPath + [key]) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: index["super"].map { members[$0].value } ?? .null, codingPath: codingPath + [JSONKey("super")])
    }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: index[key.stringValue].map { members[$0].value } ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element and its path, advancing.
    private mutating func next() throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [JSONKey(intValue: currentIndex)!]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: path, debugDescription: "the array has only \(elements.count) elements"))
        }
        currentIndex += 1
        return (elements[currentIndex - 1], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (v, p) = try next(); return try ValueDecoder.decode(type, from: v, codingPath: p) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(); return try ValueDecoder.bool(v, p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(); return try ValueDecoder.string(v, p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(); return try ValueDecoder.float(v, p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(); return try ValueDecoder.float(v, p) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(); return try ValueDecoder.integer(v, p) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next()
        return try ValueDecoder(value: v, codingPath: p).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next()
        return try ValueDecoder(value: v, codingPath: p).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { let (v, p) = try next(); return ValueDecoder(value: v, codingPath: p) }
}

struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(type, from: value, codingPath: codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { try ValueDecoder.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try ValueDecoder.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try ValueDecoder.float(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try ValueDecoder.float(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try ValueDecoder.integer(value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try ValueDecoder.integer(value, codingPath) }
}
