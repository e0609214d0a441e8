import Foundation
import Testing
@testable import Checkpoint

/// `fixtures/formats/quantized/expected.*`: per weight, the dequantized and the raw matrix (numpy).
private struct ExpectedQuantized {
    let file: String
    let name: String
    let quantization: String
    let shape: [Int]
    let dequantized: [Double]
    let raw: [Double]

    static let all: [ExpectedQuantized] = {
        let doc = try! JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: formatFixture("quantized/expected.json"))!) as! [String: Any]
        let blob = FileManager.default.contents(atPath: formatFixture("quantized/expected.bin"))!
        var offset = 0
        func take(_ n: Int) -> [Double] {
            defer { offset += n }
            return blob.withUnsafeBytes { raw in (0..<n).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: (offset + $0) * 8, as: UInt64.self))) } }
        }
        return (doc["weights"] as! [[String: Any]]).map { w in
            let shape = w["shape"] as! [Int], n = shape.reduce(1, *)
            return ExpectedQuantized(file: w["file"] as! String, name: w["name"] as! String, quantization: w["quantization"] as! String,
                                     shape: shape, dequantized: take(n), raw: take(n))
        }
    }()
}

@Suite struct QuantizedTensorsTests {
    /// int8 + scale (per row, F32 and F16 scales), bitsandbytes int8 and act-order GPTQ 4-bit:
    /// each weight becomes one tensor `P.weight` equal to numpy's dequantization bit for bit, or
    /// with `.raw` to the integer matrix; the scale/zero/index tensors are consumed.
    @Test(arguments: ["int8.safetensors", "bnb.safetensors", "gptq.safetensors"])
    func combinesAndDequantizes(_ file: String) throws {
        let expected = ExpectedQuantized.all.filter { $0.file == file }
        #expect(!expected.isEmpty)
        for mode in QuantizedMode.allCases {
            let checkpoint = try Checkpoint.open(formatFixture("quantized/" + file), quantized: mode)
            let names = checkpoint.tensors.map(\.name)
            #expect(!names.contains { $0.hasSuffix(".scales") || $0.hasSuffix(".SCB") || $0.hasSuffix(".qzeros") || $0.hasSuffix(".g_idx") || $0.hasSuffix("weight_scale") || $0.hasSuffix(".qweight") })
            for e in expected {
                let t = try #require(checkpoint.tensor(named: e.name), "\(e.name)")
                #expect(t.shape == e.shape)
                #expect(t.quantization == e.quantization + (mode == .raw ? " raw" : ""))
                #expect(sameBits(try checkpoint.readDoubles(t), mode == .raw ? e.raw : e.dequantized), "\(file) \(e.name) \(mode)")
            }
        }
    }

    @Test func inconsistentPartsAreOneLineErrors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A GPTQ qzeros tensor whose shape does not match scales.
        try SafetensorsWriter.write([
            WritableTensor(name: "l.qweight", dtype: .I32, shape: [8, 16], bytes: [UInt8](repeating: 0, count: 8 * 16 * 4)),
            WritableTensor(name: "l.scales", dtype: .F16, shape: [2, 16], bytes: [UInt8](repeating: 0, count: 2 * 16 * 2)),
            WritableTensor(name: "l.qzeros", dtype: .I32, shape: [3, 2], bytes: [UInt8](repeating: 0, count: 3 * 2 * 4)),
        ], metadata: [:], to: folder + "/bad.safetensors")
        let e = checkpointError { _ = try Checkpoint.open(folder + "/bad.safetensors") }
        #expect(e?.kind == .shapeMismatch)
        #expect(e?.message.contains("qzeros [3, 2]") == true)
    }
}
