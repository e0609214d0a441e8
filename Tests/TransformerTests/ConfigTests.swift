import Checkpoint
import Foundation
import Testing
@testable import Transformer

@Suite struct ConfigTests {
    static let minimal = """
    {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
     "intermediate_size": 64, "hidden_act": "gelu", "layer_norm_eps": 1e-12, "max_position_embeddings": 16,
     "type_vocab_size": 2, "vocab_size": 40, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}
    """

    static func parse(_ text: String) throws -> BertConfig {
        try BertConfig(json: try JSONParser.parse(Array(text.utf8)), file: "config.json")
    }

    @Test func readsTheFields() throws {
        let c = try Self.parse(Self.minimal)
        #expect(c.hiddenSize == 32 && c.layers == 2 && c.heads == 4 && c.headSize == 8 && c.intermediateSize == 64)
        #expect(c.vocabSize == 40 && c.maxPositions == 16 && c.typeVocabSize == 2 && c.layerNormEps == 1e-12)
        #expect(c.initializerRange == 0.02)
    }
}
