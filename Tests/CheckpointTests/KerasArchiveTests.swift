import Foundation
import Testing
@testable import Checkpoint

@Suite struct KerasArchiveTests {
    /// A real Keras 3 `model.save` file (stored and deflated): the weights file's class-named
    /// groups (`layers/dense_1`, `layers/sequential/layers/dense`) get the layer names of
    /// config.json, values equal Keras's own; tensors follow the model's layer order.
    @Test(arguments: ["keras/model.keras", "keras/model-deflated.keras"])
    func readsWhatKerasSaved(_ fixture: String) throws {
        let doc = try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: formatFixture("keras/expected.json"))!) as! [String: Any]
        let blob = FileManager.default.contents(atPath: formatFixture("keras/expected.bin"))!
        let expected = doc["tensors"] as! [[String: Any]]
        let checkpoint = try Checkpoint.open(formatFixture(fixture))
        #expect(checkpoint.format == .kerasArchive)
        #expect(checkpoint.tensors.map(\.name) == expected.map { $0["name"] as! String })
        var offset = 0
        for (t, e) in zip(checkpoint.tensors, expected) {
            #expect(t.shape == e["shape"] as! [Int])
            #expect(t.layout == .keras)
            #expect(t.file == formatFixture(fixture))
            let values = blob.withUnsafeBytes { raw in
                (0..<t.elementCount).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: (offset + $0) * 8, as: UInt64.self))) }
            }
            offset += t.elementCount
            #expect(sameBits(try checkpoint.readDoubles(t), values), "\(t.name)")
        }
    }

    @Test func snakeCaseIsKeras() {
        #expect(KerasArchive.snakeCase("Dense") == "dense")
        #expect(KerasArchive.snakeCase("Conv2D") == "conv2d")
        #expect(KerasArchive.snakeCase("MultiHeadAttention") == "multi_head_attention")
        #expect(KerasArchive.snakeCase("LayerNormalization") == "layer_normalization")
        #expect(KerasArchive.snakeCase("GRU") == "gru")
    }
}
