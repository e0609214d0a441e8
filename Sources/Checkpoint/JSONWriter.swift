/// How `JSONValue.text(_:)` lays out its output.
public enum JSONStyle: Sendable {
    /// One line, no spaces: `{"a":[1,2]}` (training logs, safetensors headers).
    case compact
    /// Foundation's `JSONEncoder` `.prettyPrinted` layout: two-space indents, `"key" : value`,
    /// an empty container as `[`, a blank line, `]` (analysis, comparison and policy files).
    case pretty
}

/// The one JSON writer, beside `JSONParser` (the one reader): a `JSONValue` as text.
///
/// Deterministic: object members are written in the order given (duplicates included), numbers
/// as the literal text they hold (`JSONValue.double(_:)` formats a Double once, the way
/// `JSONEncoder` does), strings escaped by `JSONText.quoted` (slashes not escaped), and no
/// trailing newline.
extension JSONValue {
    /// The value as JSON text in `style`.
    public func text(_ style: JSONStyle = .compact) -> String {
        var out = ""
        write(into: &out, style: style, indent: 0)
        return out
    }

    private func write(into out: inout String, style: JSONStyle, indent: Int) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(literal): out += literal
        case let .string(s): out += JSONText.quoted(s)
        case let .array(elements):
            Self.container("[", "]", elements.count, into: &out, style: style, indent: indent) { k, out in
                elements[k].write(into: &out, style: style, indent: indent + 2)
            }
        case let .object(members):
            Self.container("{", "}", members.count, into: &out, style: style, indent: indent) { k, out in
                out += JSONText.quoted(members[k].key)
                out += style == .pretty ? " : " : ":"
                members[k].value.write(into: &out, style: style, indent: indent + 2)
            }
        }
    }

    /// Brackets around `count` items written by `item`, separated and indented per `style`.
    private static func container(_ open: String, _ close: String, _ count: Int, into out: inout String, style: JSONStyle,
                                  indent: Int, item: (Int, inout String) -> Void) {
        out += open
        switch style {
        case .compact:
            for k in 0..<count {
                if k > 0 { out += "," }
                item(k, &out)
            }
        case .pretty:
            let inner = String(repeating: " ", count: indent + 2)
            // JSONEncoder writes an empty container as its brackets around an empty line.
            if count == 0 { out += "\n" }
            for k in 0..<count {
                out += k > 0 ? ",\n" : "\n"
                out += inner
                item(k, &out)
            }
            out += "\n" + String(repeating: " ", count: indent)
        }
        out += close
    }
}

extension JSONValue {
    /// An integer literal.
    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(String(value)) }

    /// A Double as `JSONEncoder` writes it: the shortest text that reads back as the same value,
    /// without a trailing `.0` (`0.1`, `1e-05`, `3`, `-0`); nil, NaN and ±∞ become `null`.
    public static func double(_ value: Double?) -> JSONValue { value.flatMap(literal).map { .number($0) } ?? .null }

    /// A Float in its own shortest form (`0.1`, not the Double `0.10000000149011612`), as
    /// `JSONEncoder` writes it; nil, NaN and ±∞ become `null`.
    public static func float(_ value: Float?) -> JSONValue { value.flatMap(literal).map { .number($0) } ?? .null }

    /// An array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// An object with these members, in this order.
    public static func members(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { JSONMember(key: $0.key, value: $0.value) })
    }

    /// The number's shortest round-trip text without a trailing `.0`; nil for NaN and ±∞.
    static func literal<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String? {
        guard value.isFinite else { return nil }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
