import Foundation
import Testing
@testable import Checkpoint

/// The JSON writer and the Codable bridge, with Foundation's `JSONEncoder` as the oracle for
/// the layout and number formats (sorted keys make its member order deterministic).
@Suite struct JSONWriterTests {
    struct Inner: Codable, Equatable { var x: Int; var tags: [String] }
    struct Sample: Codable, Equatable {
        var doubles: [Double]
        var floats: [Float]
        var big: UInt64
        var small: Int8
        var text: String
        var flag: Bool
        var missing: Double?
        var present: Int?
        var empty: [Int]
        var emptyObject: [String: Int]
        var nested: [[Int]]
        var inners: [Inner]
        var table: [String: Double]
    }

    static let sample = Sample(
        doubles: [0.1, 1e-5, 1e20, 1e15, 123456789012345, 9007199254740992, 100, -0.0, 5e-324, 1.7976931348623157e308,
                  0.30000000000000004, 1e16, 2.5e-7, -3.25],
        floats: [0.1, 2.5e-3, 1e-5, 3, 1e10, 16777216],
        big: .max, small: -128, text: "a/b\"c\\d\n\t\r\u{08}\u{0C}\u{01}\u{1f}é\u{7f}\u{2028}😀", flag: true,
        missing: nil, present: 7, empty: [], emptyObject: [:], nested: [[], [1, 2]],
        inners: [Inner(x: 1, tags: ["p"]), Inner(x: -2, tags: [])], table: ["b": 2, "a": 1.5, "fc10": 3, "fc2": 4])

    func foundation(_ pretty: Bool) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(Self.sample), as: UTF8.self)
    }

    @Test func matchesJSONEncoderByteForByte() throws {
        let value = try JSONValueEncoder(sortedKeys: true).encode(Self.sample)
        #expect(value.text(.pretty) == (try foundation(true)))
        #expect(value.text() == (try foundation(false)))
    }

    /// Members in the order `encode(to:)` wrote them; String-keyed dictionaries sorted.
    @Test func keepsDeclarationOrder() throws {
        let value = try JSONValueEncoder().encode(Self.sample)
        #expect(value.objectMembers?.map(\.key) == ["doubles", "floats", "big", "small", "text", "flag", "present", "empty",
                                                    "emptyObject", "nested", "inners", "table"])
        #expect(value["table"]?.objectMembers?.map(\.key) == ["a", "b", "fc10", "fc2"])
        #expect(value["inners"]?.arrayValue?.first?.text() == #"{"x":1,"tags":["p"]}"#)
    }

    @Test func roundTrips() throws {
        let value = try JSONValueEncoder().encode(Self.sample)
        #expect(try JSONParser.parse(Array(value.text(.pretty).utf8)) == value)
        #expect(try JSONValueDecoder().decode(Sample.self, from: value) == Self.sample)
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: value) == value)
    }

    @Test func buildsValuesDirectly() {
        let v = JSONValue.members(["a": .int(3), "b": .double(0.5), "c": .double(.nan), "d": .float(0.1), "e": .double(nil),
                                   "f": .strings(["x"]), "g": .double(2)])
        #expect(v.text() == #"{"a":3,"b":0.5,"c":null,"d":0.1,"e":null,"f":["x"],"g":2}"#)
        #expect(JSONValue.array([]).text(.pretty) == "[\n\n]")
        #expect(JSONValue.members(["k": .object([])]).text(.pretty) == "{\n  \"k\" : {\n\n  }\n}")
    }

    @Test func nonFiniteNumbersThrow() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([1, Double.infinity]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Float.nan) }
    }

    /// Strict types, exact integers, errors that name the field.
    @Test func decodesStrictly() throws {
        func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }
        let d = JSONValueDecoder()
        #expect(try d.decode(Int.self, from: parse("3.0")) == 3)
        #expect(try d.decode(Int.self, from: parse("2e2")) == 200)
        #expect(try d.decode(Double.self, from: parse("7")) == 7)
        #expect(throws: DecodingError.self) { try d.decode(Int.self, from: parse("3.5")) }
        #expect(throws: DecodingError.self) { try d.decode(UInt8.self, from: parse("256")) }
        #expect(throws: DecodingError.self) { try d.decode(Double.self, from: parse("1e999")) }
        #expect(throws: DecodingError.self) { try d.decode(Double.self, from: parse("true")) }
        #expect(throws: DecodingError.self) { try d.decode(String.self, from: parse("1")) }
        do {
            _ = try d.decode(Inner.self, from: parse(#"{"x": 1, "tags": ["a", 2]}"#))
            Issue.record("decoded a number as a string")
        } catch {
            #expect(JSONValueDecoder.describe(error) == "'tags[1]': expected a string, found a number")
        }
        do {
            _ = try d.decode([Inner].self, from: parse(#"[{"x": 1, "tags": []}, {"tags": []}]"#))
            Issue.record("decoded without x")
        } catch {
            #expect(JSONValueDecoder.describe(error) == "'[1]': no 'x'")
        }
    }

    /// Duplicate keys: the first one counts, as `JSONValue`'s subscript does.
    @Test func firstOfDuplicateKeys() throws {
        let v = try JSONParser.parse(Array(#"{"x": 1, "tags": [], "x": 2}"#.utf8))
        #expect(try JSONValueDecoder().decode(Inner.self, from: v) == Inner(x: 1, tags: []))
    }
}
