/// A `JSONValue` inside a Codable type (e.g. an output row whose columns are only known at run
/// time). `JSONValueEncoder` and `JSONValueDecoder` take it as it is; any other coder gets its
/// parts (members in order, numbers as Int when the literal is one, else Double).
extension JSONValue: Codable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .bool(b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case let .string(s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case let .number(text):
            var c = encoder.singleValueContainer()
            if let i = Int(text) { try c.encode(i) } else if let d = Double(text) { try c.encode(d) } else {
                throw EncodingError.invalidValue(text, .init(codingPath: encoder.codingPath, debugDescription: "not a number: \(text)"))
            }
        case let .array(elements):
            var c = encoder.unkeyedContainer()
            for e in elements { try c.encode(e) }
        case let .object(members):
            var c = encoder.container(keyedBy: JSONKey.self)
            for m in members { try c.encode(m.value, forKey: JSONKey(m.key)) }
        }
    }

    public init(from decoder: any Decoder) throws {
        if let d = decoder as? ValueDecoder {
            self = d.value
        } else if let c = try? decoder.container(keyedBy: JSONKey.self) {
            self = .object(try c.allKeys.map { JSONMember(key: $0.stringValue, value: try c.decode(JSONValue.self, forKey: $0)) })
        } else if var c = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !c.isAtEnd { elements.append(try c.decode(JSONValue.self)) }
            self = .array(elements)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else { self = .string(try c.decode(String.self)) }
        }
    }
}
