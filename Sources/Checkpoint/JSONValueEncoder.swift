/// Encodes `Encodable` values (options, reports, run results) into a `JSONValue`: Swift's
/// Codable bridge to the one JSON type, so every JSON file htsr writes goes through
/// `JSONValue.text(_:)`.
///
/// Object members keep the order in which `encode(to:)` writes them (a synthesized conformance:
/// the declaration order), so output is the same in every run; dictionaries with String keys —
/// whose iteration order changes from process to process — are written with their keys sorted.
/// Numbers are formatted as `JSONEncoder` formats them (`JSONValue.double`, `.float`, `.int`);
/// NaN and ±∞ throw `EncodingError.invalidValue`, as with `JSONEncoder`.
public struct JSONValueEncoder: Sendable {
    /// Sort the members of every object by key (String `<`, as `JSONEncoder`'s `.sortedKeys`).
    public var sortedKeys: Bool

    public init(sortedKeys: Bool = false) { self.sortedKeys = sortedKeys }

    /// The value as a JSON value.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number, or what `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let slot = EncodingSlot()
        try EncodingSlot.encode(value, into: slot, codingPath: [])
        return slot.finished(sortedKeys: sortedKeys)
    }
}

/// A coding key made from a string (dictionary keys, object members).
public struct JSONKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

/// A value under construction: containers handed out by `encode(to:)` are filled later, so
/// they share this reference.
final class EncodingSlot {
    var value: JSONValue?
    var members: [(key: String, slot: EncodingSlot)]?
    var elements: [EncodingSlot]?

    /// The finished value; a slot nothing was written into is an empty object (`JSONEncoder`'s `{}`).
    func finished(sortedKeys: Bool) -> JSONValue {
        if let value { return value }
        if let elements { return .array(elements.map { $0.finished(sortedKeys: sortedKeys) }) }
        var m = members ?? []
        if sortedKeys { m.sort { $0.key < $1.key } }
        return .object(m.map { JSONMember(key: $0.key, value: $0.slot.finished(sortedKeys: sortedKeys)) })
    }

    /// The slot of member `key` (replacing an earlier one of the same key in place).
    func member(_ key: String) -> EncodingSlot {
        if members == nil { members = [] }
        let slot = EncodingSlot()
        if let k = members!.firstIndex(where: { $0.key == key }) { members![k].slot = slot } else { members!.append((key, slot)) }
        return slot
    }

    /// A new last element.
    func element() -> EncodingSlot {
        if elements == nil { elements = [] }
        let slot = EncodingSlot()
        elements!.append(slot)
        return slot
    }

    /// Encodes `value` into `slot`: JSON values and scalars directly, String-keyed dictionaries
    /// with sorted keys, anything else through its `encode(to:)`.
    static func encode<T: Encodable>(_ value: T, into slot: EncodingSlot, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as JSONValue: slot.value = v
        case let v as String: slot.value = .string(v)
        case let v as Bool: slot.value = .bool(v)
        case let v as Double: slot.value = try number(v, codingPath)
        case let v as Float: slot.value = try number(v, codingPath)
        case let v as any BinaryInteger: slot.value = .number(String(v))
        case let dictionary as [String: any Encodable]:
            slot.members = []
            for key in dictionary.keys.sorted() {
                try encode(dictionary[key]!, into: slot.member(key), codingPath: codingPath + [JSONKey(key)])
            }
        default:
            try value.encode(to: SlotEncoder(slot: slot, codingPath: codingPath))
        }
    }

    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard let literal = JSONValue.literal(v) else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "\(v) has no JSON literal"))
        }
        return .number(literal)
    }
}

/// The `Encoder` handed to `encode(to:)`.
struct SlotEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if slot.members == nil { slot.members = [] }
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if slot.elements == nil { slot.elements = [] }
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }
}

struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.member(key.stringValue).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, key) }

    private func put<T: Encodable>(_ value: T, _ key: Key) throws {
        try EncodingSlot.encode(value, into: slot.member(key.stringValue), codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.member("super"), codingPath: codingPath + [JSONKey("super")]) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var count: Int { slot.elements?.count ?? 0 }

    private var nextPath: [any CodingKey] { codingPath + [JSONKey(intValue: count)!] }

    mutating func encodeNil() throws { slot.element().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try append(value) }
    mutating func encode(_ value: Bool) throws { try append(value) }
    mutating func encode(_ value: String) throws { try append(value) }
    mutating func encode(_ value: Double) throws { try append(value) }
    mutating func encode(_ value: Float) throws { try append(value) }
    mutating func encode(_ value: Int) throws { try append(value) }
    mutating func encode(_ value: Int8) throws { try append(value) }
    mutating func encode(_ value: Int16) throws { try append(value) }
    mutating func encode(_ value: Int32) throws { try append(value) }
    mutating func encode(_ value: Int64) throws { try append(value) }
    mutating func encode(_ value: UInt) throws { try append(value) }
    mutating func encode(_ value: UInt8) throws { try append(value) }
    mutating func encode(_ value: UInt16) throws { try append(value) }
    mutating func encode(_ value: UInt32) throws { try append(value) }
    mutating func encode(_ value: UInt64) throws { try append(value) }

    private func append<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try EncodingSlot.encode(value, into: slot.element(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return SlotEncoder(slot: slot.element(), codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return SlotEncoder(slot: slot.element(), codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return SlotEncoder(slot: slot.element(), codingPath: path)
    }
}

struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try EncodingSlot.encode(value, into: slot, codingPath: codingPath) }
    mutating func encode(_ value: Bool) throws { slot.value = .bool(value) }
    mutating func encode(_ value: String) throws { slot.value = .string(value) }
    mutating func encode(_ value: Double) throws { slot.value = try EncodingSlot.number(value, codingPath) }
    mutating func encode(_ value: Float) throws { slot.value = try EncodingSlot.number(value, codingPath) }
    mutating func encode(_ value: Int) throws { slot.value = .int(value) }
    mutating func encode(_ value: Int8) throws { slot.value = .int(value) }
    mutating func encode(_ value: Int16) throws { slot.value = .int(value) }
    mutating func encode(_ value: Int32) throws { slot.value = .int(value) }
    mutating func encode(_ value: Int64) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt8) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt16) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt32) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt64) throws { slot.value = .int(value) }
}
