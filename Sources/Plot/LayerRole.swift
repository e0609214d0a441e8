import Spectrum

/// What a layer does in a network, inferred from its name: the colour of its points in the
/// model figures.
public enum LayerRole: String, Sendable, CaseIterable, Codable {
    case query = "attention q"
    case key = "attention k"
    case value = "attention v"
    case attentionOutput = "attention o"
    case attentionFused = "attention qkv"
    case ffn = "FFN"
    case embedding
    case conv
    case other

    /// The name on a small figure's key: `q`, `k`, `v`, `o`, `qkv`, `FFN`, `emb.`, `conv`, `other`.
    public var shortName: String {
        switch self {
        case .query: return "q"
        case .key: return "k"
        case .value: return "v"
        case .attentionOutput: return "o"
        case .attentionFused: return "qkv"
        case .embedding: return "emb."
        case .ffn, .conv, .other: return rawValue
        }
    }

    /// Infers the role from the name's components (split at `.` and `/`, lower-cased) and the kind.
    ///
    /// - Embedding and convolution kinds decide first.
    /// - Fused attention: `c_attn`, `qkv`, `query_key_value`, `in_proj`, `wqkv`, `qkv_proj`.
    /// - q/k/v: `query`/`key`/`value`, `q_proj`…, `q_lin`…, `wq`…, and a bare `q`/`k`/`v` component
    ///   (T5); attention output: `o_proj`, `out_proj`, `out_lin`, a bare `o`, `c_proj` under
    ///   `attn`, and `output` under `attention` (BERT's `attention.output.dense`).
    /// - FFN: `mlp`, `ffn`, `intermediate`, `feed_forward`, `c_fc`, `up_proj`, `down_proj`,
    ///   `gate_proj`, `dense_h_to_4h`, `dense_4h_to_h`, `densereludense`, `wi`, `wo`, and an
    ///   `output` outside attention (BERT's `layer.N.output.dense`).
    /// - Anything else (poolers, heads, classifiers, plain MLP layers) is `other`.
    public static func infer(name: String, kind: LayerKind) -> LayerRole {
        switch kind {
        case .embedding: return .embedding
        case .conv1d, .conv2d: return .conv
        case .linear: break
        }
        let parts = Set(name.lowercased().split(whereSeparator: { $0 == "." || $0 == "/" || $0 == ":" }).map(String.init))
        func has(_ tokens: String...) -> Bool { tokens.contains(where: parts.contains) }
        let inAttention = parts.contains { $0.contains("attn") || $0.contains("attention") }
        if has("c_attn", "qkv", "query_key_value", "in_proj", "in_proj_weight", "wqkv", "qkv_proj") { return .attentionFused }
        if has("query", "q_proj", "q_lin", "wq", "q") { return .query }
        if has("key", "k_proj", "k_lin", "wk", "k") { return .key }
        if has("value", "v_proj", "v_lin", "wv", "v") { return .value }
        if has("o_proj", "out_proj", "out_lin", "o") || (inAttention && has("c_proj", "output", "dense", "wo")) {
            return .attentionOutput
        }
        if has("mlp", "ffn", "intermediate", "feed_forward", "feedforward", "c_fc", "up_proj", "down_proj", "gate_proj",
               "dense_h_to_4h", "dense_4h_to_h", "densereludense", "wi", "wo", "wi_0", "wi_1") || has("output") {
            return .ffn
        }
        return .other
    }
}
