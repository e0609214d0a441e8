import Foundation
import Testing
@testable import Checkpoint

/// `fixtures/formats/gguf/types.expected.*`: gguf-py's dequantized matrices (float64, in order).
private struct ExpectedGGUF {
    let name: String
    let type: String
    let shape: [Int]
    let values: [Double]

    static let all: [ExpectedGGUF] = {
        let data = FileManager.default.contents(atPath: formatFixture("gguf/types.expected.json"))!
        let doc = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let blob = FileManager.default.contents(atPath: formatFixture("gguf/types.expected.bin"))!
        var offset = 0
        return (doc["tensors"] as! [[String: Any]]).map { t in
            let shape = t["shape"] as! [Int]
            let n = shape.reduce(1, *)
            let values = blob.withUnsafeBytes { raw in
                (0..<n).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: (offset + $0) * 8, as: UInt64.self))) }
            }
            offset += n
            return ExpectedGGUF(name: t["name"] as! String, type: t["type"] as! String, shape: shape, values: values)
        }
    }()
}

@Suite struct GGUFTests {
    /// Every dequantized type equals gguf-py's reference dequantizer bit for bit (llama.cpp's
    /// reference order of Float operations), whole or streamed in blocks; GGUF's ne order
    /// becomes a row-major shape; v2 and v3 read alike.
    @Test(arguments: ["gguf/types.gguf", "gguf/types-v2.gguf"])
    func dequantizesEveryTypeLikeTheReference(_ fixture: String) throws {
        let checkpoint = try Checkpoint.open(formatFixture(fixture))
        #expect(checkpoint.format == .gguf)
        #expect(checkpoint.metadata["general.architecture"] == "llama")
        #expect(checkpoint.metadata["llama.block_count"] == "4")
        #expect(checkpoint.metadata["llama.context_length"] == "2048")
        #expect(checkpoint.metadata["tokenizer.ggml.tokens"] == "[4 values]")
        #expect(checkpoint.metadata["gguf.version"] == (fixture.contains("v2") ? "2" : "3"))
        for e in ExpectedGGUF.all {
            let t = try #require(checkpoint.tensor(named: e.name))
            #expect(t.shape == e.shape)
            #expect(t.quantization == (["F32", "F64", "F16", "BF16"].contains(e.type) ? nil : e.type))
            #expect(t.dtype.isFloatingPoint)
            #expect(sameBits(try checkpoint.readDoubles(t), e.values), "\(e.name)")
            var streamed: [Double] = []
            try checkpoint.forEachBlock(t, elementsPerBlock: 300) { streamed += $0 }
            #expect(sameBits(streamed, e.values), "\(e.name) streamed")
            #expect(try checkpoint.readFloats(t) == e.values.map { Float($0) })
        }
        let iq = try #require(checkpoint.tensor(named: "blk.3.ffn_iq2_xxs.weight"))
        #expect(iq.quantization == "IQ2_XXS")
        #expect(iq.unreadable != nil)
        #expect(checkpointError { _ = try checkpoint.readDoubles(iq) }?.kind == .unsupported)
        let ints = try #require(checkpoint.tensor(named: "blk.3.ffn_i32.weight"))
        #expect(ints.dtype == .I32 && ints.shape == [8, 8])
        #expect(try checkpoint.readDoubles(ints) == (0..<64).map(Double.init))
        #expect(checkpoint.tensor(named: "blk.3.attn_norm.weight")?.shape == [32])
    }
}
