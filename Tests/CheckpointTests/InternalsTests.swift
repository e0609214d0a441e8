import Foundation
import Testing
@testable import Checkpoint

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndDuplicates() throws {
        let value = try JSONParser.parse(Array(#"{"b": 1, "a": [true, null], "b": "x"}"#.utf8))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members[1].value == .array([.bool(true), .null]))
        #expect(members[2].value == .string("x"))
    }

    @Test func decodesEscapes() throws {
        let value = try JSONParser.parse(Array(#"["a\"b\\c\/\n\u00e9\ud83d\ude00"]"#.utf8))
        #expect(value == .array([.string("a\"b\\c/\né😀")]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\u{01}\"", "\"\\ud800\"", "tru", "{} x", "[\"\\x\"]"])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func judgesIntegersOnTheLiteral() {
        #expect(JSONValue.number("12").nonNegativeInteger == .value(12))
        #expect(JSONValue.number("-1").nonNegativeInteger == .negative)
        #expect(JSONValue.number("2.0").nonNegativeInteger == .notAnInteger)
        #expect(JSONValue.number("1e3").nonNegativeInteger == .notAnInteger)
        #expect(JSONValue.number("18446744073709551616").nonNegativeInteger == .tooLarge)
        #expect(JSONValue.string("3").nonNegativeInteger == .notAnInteger)
    }
}

@Suite struct NaturalOrderTests {
    @Test func numbersCompareByValue() {
        #expect(NaturalOrder.sorted(["layer.10", "layer.2", "layer.1"]) == ["layer.1", "layer.2", "layer.10"])
        #expect(NaturalOrder.less("model-00002-of-00010", "model-00010-of-00010"))
        #expect(!NaturalOrder.less("model-00010-of-00010", "model-00002-of-00010"))
        #expect(NaturalOrder.less("a", "ab") && NaturalOrder.less("a2", "b1"))
    }

    @Test func orderIsTotal() {
        #expect(NaturalOrder.less("a007", "a7") != NaturalOrder.less("a7", "a007"))
        #expect(!NaturalOrder.less("x", "x"))
    }
}

@Suite struct NarrowFloatTests {
    /// Every one of the 65536 half-precision bit patterns decodes to the value Float16 has (NaNs
    /// with their sign and payload).
    @Test func halfMatchesFloat16ForEveryBitPattern() {
        #if arch(x86_64) && os(macOS)
        // Float16 is unavailable on Intel macOS; the fixture values still cover the decoder.
        #else
        for bits in 0...UInt16.max {
            let want = Float(Float16(bitPattern: bits))
            let got = NarrowFloat.half(bits)
            #expect((want.isNaN && got.isNaN) || want.bitPattern == got.bitPattern, "0x\(String(bits, radix: 16))")
            if want.isNaN {   // sign and payload kept, as numpy's float16 → float32 does
                #expect(got.bitPattern == UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | UInt32(bits & 0x3FF) << 13)
            }
        }
        #endif
    }

    @Test func e4m3fnHasNoInfinity() {
        for bits in 0...UInt8.max { #expect(!NarrowFloat.e4m3fn(bits).isInfinite) }
        #expect((0...UInt8.max).filter { NarrowFloat.e4m3fn($0).isNaN } == [0x7F, 0xFF])
    }
}
