/// A model family whose module order htsr knows, with its parameter names in
/// `model.named_parameters()` order (PyTorch: a module's own parameters, then each submodule's
/// in the order `__init__` registers them).
///
/// Each table lists module paths (`#` = any block index, a number = that index) of the family's
/// Hugging Face `transformers` implementation, in registration order: the backbone first (as it
/// appears without the wrapper's attribute prefix such as `bert.` or `model.`), then the task
/// heads of its `…For…` wrappers. Sources (`src/transformers/models/<family>/modeling_<family>.py`,
/// the `__init__` of each class named):
/// - BERT: `BertModel` (embeddings, encoder, pooler), `BertEmbeddings` (word, position,
///   token_type embeddings, LayerNorm), `BertLayer` (attention, crossattention, intermediate,
///   output), `BertAttention` (self, output), `BertSelfAttention` (query, key, value,
///   distance_embedding), `BertSelfOutput` / `BertOutput` (dense, LayerNorm); heads
///   `BertPreTrainingHeads` (predictions: bias, transform.dense, transform.LayerNorm, decoder;
///   seq_relationship), classifier, qa_outputs.
/// - RoBERTa (also XLM-RoBERTa, CamemBERT): the BERT layout; heads `RobertaLMHead` (dense,
///   layer_norm, decoder, bias), `RobertaClassificationHead` (dense, out_proj), qa_outputs.
/// - DistilBERT: `Embeddings` (word, position, LayerNorm), `TransformerBlock` (attention:
///   q_lin, k_lin, v_lin, out_lin; sa_layer_norm; ffn: lin1, lin2; output_layer_norm); heads
///   vocab_transform, vocab_layer_norm, vocab_projector, pre_classifier, classifier, qa_outputs.
/// - ALBERT: `AlbertTransformer` (embedding_hidden_mapping_in, albert_layer_groups),
///   `AlbertLayer` (full_layer_layer_norm, attention, ffn, ffn_output), `AlbertAttention`
///   (query, key, value, dense, LayerNorm, distance_embedding); heads `AlbertMLMHead`
///   (LayerNorm, bias, dense, decoder), sop_classifier, classifier, qa_outputs.
/// - GPT-2: `GPT2Model` (wte, wpe, h, ln_f), `GPT2Block` (ln_1, attn, ln_2, crossattention,
///   ln_cross_attn, mlp), `GPT2Attention` (c_attn, q_attn, c_proj), `GPT2MLP` (c_fc, c_proj);
///   heads lm_head, multiple_choice_head, score, classifier, qa_outputs.
/// - Llama (also Mistral, Qwen2, Qwen3): `LlamaModel` (embed_tokens, layers, norm),
///   `LlamaDecoderLayer` (self_attn, mlp, input_layernorm, post_attention_layernorm),
///   `LlamaAttention` (q_proj, k_proj, v_proj, o_proj; Qwen3 adds q_norm, k_norm), `LlamaMLP`
///   (gate_proj, up_proj, down_proj); heads lm_head, score.
/// - T5 (also mT5, UMT5): `T5ForConditionalGeneration` (shared, encoder, decoder, lm_head),
///   `T5Stack` (embed_tokens, block, final_layer_norm), `T5Block.layer` = [self-attention, FF]
///   in the encoder and [self-attention, cross-attention, FF] in the decoder, each sublayer its
///   attention (`T5Attention`: q, k, v, o, relative_attention_bias) or `DenseReluDense` (wi or
///   wi_0, wi_1; wo) then layer_norm; head classification_head (dense, out_proj).
/// - ViT: `ViTModel` (embeddings, encoder, layernorm, pooler), `ViTEmbeddings` (cls_token,
///   mask_token, position_embeddings as own parameters, then patch_embeddings.projection),
///   `ViTLayer` (attention.attention: query, key, value; attention.output.dense; intermediate;
///   output; layernorm_before; layernorm_after); head classifier.
/// - GGUF (`gguf`, for every GGUF file: llama.cpp names tensors the same way in every
///   architecture, gguf-py `constants.py` `TENSOR_NAMES`): the order in which llama.cpp's graph
///   builders use them (`src/llama-model.cpp`: `llm_build_bert` — token_embd, token_types,
///   position_embd, token_embd_norm, then per block attn_q, attn_k, attn_v, attn_output,
///   attn_output_norm, ffn_up, ffn_down, layer_output_norm; `llm_build_llama` — attn_norm,
///   attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down, then output_norm,
///   output). A GGUF file stores its tensors in the converter's order, which is not this one.
public enum ModelFamily: String, Sendable, Codable, CaseIterable {
    case bert, roberta, distilbert, albert, gpt2, llama, t5, vit, gguf

    /// The family of a `config.json`: its `model_type`, else its first `architectures` entry.
    public static func detect(modelType: String?, architectures: [String]) -> ModelFamily? {
        if let t = modelType?.lowercased(), let f = byModelType[t] { return f }
        for a in architectures {
            for (prefix, f) in byArchitecturePrefix where a.hasPrefix(prefix) { return f }
        }
        return nil
    }

    static let byModelType: [String: ModelFamily] = [
        "bert": .bert, "roberta": .roberta, "xlm-roberta": .roberta, "camembert": .roberta,
        "distilbert": .distilbert, "albert": .albert, "gpt2": .gpt2,
        "llama": .llama, "mistral": .llama, "qwen2": .llama, "qwen3": .llama,
        "t5": .t5, "mt5": .t5, "umt5": .t5, "vit": .vit,
    ]

    /// Longer prefixes first (`DistilBert` before `Bert` does not matter: hasPrefix is exact).
    static let byArchitecturePrefix: [(String, ModelFamily)] = [
        ("DistilBert", .distilbert), ("XLMRoberta", .roberta), ("Camembert", .roberta), ("Roberta", .roberta),
        ("Albert", .albert), ("Bert", .bert), ("GPT2", .gpt2), ("Llama", .llama), ("Mistral", .llama),
        ("Qwen2", .llama), ("Qwen3", .llama), ("UMT5", .t5), ("MT5", .t5), ("T5", .t5), ("ViT", .vit),
    ]

    /// Module paths in registration order (see the type's documentation).
    public var modules: [String] {
        switch self {
        case .bert: return Self.bertBackbone + Self.bertHeads
        case .roberta: return Self.bertBackbone + Self.robertaHeads
        case .distilbert:
            return ["embeddings.word_embeddings", "embeddings.position_embeddings", "embeddings.LayerNorm"]
                + ["q_lin", "k_lin", "v_lin", "out_lin"].map { "transformer.layer.#.attention." + $0 }
                + ["sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"].map { "transformer.layer.#." + $0 }
                + ["vocab_transform", "vocab_layer_norm", "vocab_projector", "pre_classifier", "classifier", "qa_outputs"]
        case .albert:
            let layer = "encoder.albert_layer_groups.#.albert_layers.#."
            return ["embeddings.word_embeddings", "embeddings.position_embeddings", "embeddings.token_type_embeddings",
                    "embeddings.LayerNorm", "encoder.embedding_hidden_mapping_in"]
                + ["full_layer_layer_norm", "attention.query", "attention.key", "attention.value", "attention.dense",
                   "attention.LayerNorm", "attention.distance_embedding", "ffn", "ffn_output"].map { layer + $0 }
                + ["pooler", "predictions.LayerNorm", "predictions.dense", "predictions.decoder",
                   "sop_classifier.classifier", "classifier", "qa_outputs"]
        case .gpt2:
            return ["wte", "wpe"]
                + ["ln_1", "attn.c_attn", "attn.q_attn", "attn.c_proj", "ln_2", "crossattention.c_attn",
                   "crossattention.q_attn", "crossattention.c_proj", "ln_cross_attn", "mlp.c_fc", "mlp.c_proj"].map { "h.#." + $0 }
                + ["ln_f", "lm_head", "multiple_choice_head.summary", "score", "classifier", "qa_outputs"]
        case .llama:
            return ["embed_tokens"]
                + ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "self_attn.q_norm",
                   "self_attn.k_norm", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm",
                   "post_attention_layernorm"].map { "layers.#." + $0 }
                + ["norm", "lm_head", "score"]
        case .t5:
            func attention(_ stack: String, _ sub: Int, _ name: String) -> [String] {
                ["q", "k", "v", "o", "relative_attention_bias"].map { "\(stack).block.#.layer.\(sub).\(name).\($0)" }
                    + ["\(stack).block.#.layer.\(sub).layer_norm"]
            }
            func feedForward(_ stack: String, _ sub: Int) -> [String] {
                ["wi", "wi_0", "wi_1", "wo"].map { "\(stack).block.#.layer.\(sub).DenseReluDense.\($0)" }
                    + ["\(stack).block.#.layer.\(sub).layer_norm"]
            }
            return ["shared", "encoder.embed_tokens"] + attention("encoder", 0, "SelfAttention") + feedForward("encoder", 1)
                + ["encoder.final_layer_norm", "decoder.embed_tokens"] + attention("decoder", 0, "SelfAttention")
                + attention("decoder", 1, "EncDecAttention") + feedForward("decoder", 2)
                + ["decoder.final_layer_norm", "lm_head", "classification_head.dense", "classification_head.out_proj"]
        case .gguf:
            return ["token_embd", "token_types", "position_embd", "token_embd_norm"]
                + ["attn_norm", "attn_norm_2", "attn_qkv", "attn_q", "attn_k", "attn_v", "attn_q_norm", "attn_k_norm",
                   "attn_output", "attn_output_norm", "post_attention_norm", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down",
                   "post_ffw_norm", "layer_output_norm"].map { "blk.#." + $0 }
                + ["output_norm", "output"]
        case .vit:
            return ["embeddings.patch_embeddings.projection"]
                + ["attention.attention.query", "attention.attention.key", "attention.attention.value",
                   "attention.output.dense", "intermediate.dense", "output.dense", "layernorm_before",
                   "layernorm_after"].map { "encoder.layer.#." + $0 }
                + ["layernorm", "pooler.dense", "classifier"]
        }
    }

    static let bertBackbone: [String] = {
        func attention(_ name: String) -> [String] {
            ["self.query", "self.key", "self.value", "self.distance_embedding", "output.dense", "output.LayerNorm"]
                .map { "encoder.layer.#.\(name).\($0)" }
        }
        return ["embeddings.word_embeddings", "embeddings.position_embeddings", "embeddings.token_type_embeddings",
                "embeddings.LayerNorm"]
            + attention("attention") + attention("crossattention")
            + ["encoder.layer.#.intermediate.dense", "encoder.layer.#.output.dense", "encoder.layer.#.output.LayerNorm",
               "pooler.dense"]
    }()

    static let bertHeads = ["cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                            "cls.predictions.decoder", "cls.seq_relationship", "classifier", "qa_outputs"]
    static let robertaHeads = ["lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "classifier.dense",
                               "classifier.out_proj", "qa_outputs"]
}
