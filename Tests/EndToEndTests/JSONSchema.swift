import Checkpoint
import Foundation

/// A validator for the subset of JSON Schema (draft 2020-12) that the schemas in `docs/schema/`
/// use: `type` (one or a list), `const`, `enum`, `properties`, `required`,
/// `additionalProperties` (false or a schema), `items`, `minItems`, `maxItems`, `minimum`,
/// `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `anyOf`, `oneOf`, `allOf`,
/// and `$ref` to `#/$defs/NAME`. Annotations (`$schema`, `$id`, `title`, `description`,
/// `$comment`) are ignored; any other keyword is an error, so a schema cannot rely on one this
/// validator would silently skip. Keywords apply to their own types only (`items` to arrays,
/// `properties` to objects, …), as the specification says.
struct JSONSchema {
    let root: JSONValue

    init(_ root: JSONValue) throws {
        self.root = root
        try Self.checkKeywords(root, path: "#")
    }

    init(file: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try self.init(try JSONParser.parse([UInt8](data)))
    }

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$comment", "$defs"]
    static let keywords: Set<String> = ["type", "const", "enum", "properties", "required", "additionalProperties", "items",
                                        "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                        "minLength", "anyOf", "oneOf", "allOf", "$ref"]

    /// Every keyword of every subschema is one this validator implements.
    static func checkKeywords(_ schema: JSONValue, path: String) throws {
        if case .bool = schema { return }
        guard let members = schema.objectMembers else { throw SchemaError("\(path): a schema must be an object or a boolean") }
        for m in members {
            guard annotations.contains(m.key) || keywords.contains(m.key) else {
                throw SchemaError("\(path): keyword '\(m.key)' is not implemented by this validator")
            }
            switch m.key {
            case "properties", "$defs":
                for p in m.value.objectMembers ?? [] { try checkKeywords(p.value, path: "\(path)/\(m.key)/\(p.key)") }
            case "items", "additionalProperties":
                try checkKeywords(m.value, path: "\(path)/\(m.key)")
            case "anyOf", "oneOf", "allOf":
                for (k, s) in (m.value.arrayValue ?? []).enumerated() { try checkKeywords(s, path: "\(path)/\(m.key)/\(k)") }
            default: break
            }
        }
    }

    /// The problems of `value` (empty: valid), each naming its place as a JSON pointer.
    func errors(_ value: JSONValue) -> [String] {
        var out: [String] = []
        validate(value, root, at: "", into: &out)
        return out
    }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/$defs/") else { return nil }
        return root["$defs"]?[String(ref.dropFirst("#/$defs/".count))]
    }

    private func validate(_ value: JSONValue, _ schema: JSONValue, at path: String, into out: inout [String]) {
        if case let .bool(allowed) = schema {
            if !allowed { out.append("\(path): not allowed here") }
            return
        }
        let here = path.isEmpty ? "/" : path
        if let ref = schema["$ref"]?.stringValue {
            guard let target = resolve(ref) else { out.append("\(here): unresolved $ref \(ref)"); return }
            validate(value, target, at: path, into: &out)
        }
        if let types = schema["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue ?? ""]
            if !allowed.contains(where: { Self.has(value, type: $0) }) {
                out.append("\(here): \(value.typeName) where \(allowed.joined(separator: " or ")) is expected")
                return
            }
        }
        if let c = schema["const"], !Self.equal(value, c) { out.append("\(here): must be \(c.text())") }
        if let e = schema["enum"]?.arrayValue, !e.contains(where: { Self.equal(value, $0) }) {
            out.append("\(here): \(value.text()) is not one of \(e.map { $0.text() }.joined(separator: ", "))")
        }
        switch value {
        case let .object(members):
            let properties = schema["properties"]?.objectMembers ?? []
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !members.contains(where: { $0.key == name }) {
                out.append("\(here): the required member '\(name)' is missing")
            }
            for m in members {
                if let p = properties.first(where: { $0.key == m.key }) {
                    validate(m.value, p.value, at: path + "/" + m.key, into: &out)
                } else if let extra = schema["additionalProperties"] {
                    if case .bool(false) = extra {
                        out.append("\(here): member '\(m.key)' is not allowed")
                    } else {
                        validate(m.value, extra, at: path + "/" + m.key, into: &out)
                    }
                }
            }
        case let .array(items):
            if let n = schema["minItems"]?.doubleValue, Double(items.count) < n { out.append("\(here): fewer than \(Int(n)) items") }
            if let n = schema["maxItems"]?.doubleValue, Double(items.count) > n { out.append("\(here): more than \(Int(n)) items") }
            if let itemSchema = schema["items"] {
                for (k, item) in items.enumerated() { validate(item, itemSchema, at: "\(path)/\(k)", into: &out) }
            }
        case let .number(text):
            // Compared exactly as Decimal, so 2^64 − 1 and 1e308 are what they say.
            let x = Decimal(string: text)
            func bound(_ key: String, _ ok: (Decimal, Decimal) -> Bool, _ words: String) {
                if let b = schema[key], case let .number(bt) = b, let limit = Decimal(string: bt), let x, !ok(x, limit) {
                    out.append("\(here): \(text) is not \(words) \(bt)")
                }
            }
            bound("minimum", { $0 >= $1 }, "at least")
            bound("maximum", { $0 <= $1 }, "at most")
            bound("exclusiveMinimum", { $0 > $1 }, "above")
            bound("exclusiveMaximum", { $0 < $1 }, "below")
        case let .string(s):
            if let n = schema["minLength"]?.doubleValue, Double(s.count) < n { out.append("\(here): shorter than \(Int(n)) characters") }
        case .bool, .null:
            break
        }
        if let all = schema["allOf"]?.arrayValue {
            for s in all { validate(value, s, at: path, into: &out) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            if !any.contains(where: { errorsFor(value, $0, path).isEmpty }) { out.append("\(here): matches none of anyOf") }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let n = one.filter { errorsFor(value, $0, path).isEmpty }.count
            if n != 1 { out.append("\(here): matches \(n) of oneOf, not exactly one") }
        }
    }

    private func errorsFor(_ value: JSONValue, _ schema: JSONValue, _ path: String) -> [String] {
        var out: [String] = []
        validate(value, schema, at: path, into: &out)
        return out
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (value, type) {
        case (.object, "object"), (.array, "array"), (.string, "string"), (.bool, "boolean"), (.null, "null"), (.number, "number"):
            return true
        case let (.number(text), "integer"):
            // JSON Schema: an integer is a number with a zero fractional part (1.0 counts).
            guard let d = Decimal(string: text) else { return false }
            var rounded = Decimal(), copy = d
            NSDecimalRound(&rounded, &copy, 0, .plain)
            return rounded == d
        default:
            return false
        }
    }

    /// JSON equality: numbers by value, objects regardless of member order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return Decimal(string: x) == Decimal(string: y)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.object(x), .object(y)):
            return x.count == y.count && x.allSatisfy { m in y.contains { $0.key == m.key && equal($0.value, m.value) } }
        default: return a == b
        }
    }

    struct SchemaError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
