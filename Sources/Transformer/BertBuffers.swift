import Train

/// The parameter entries of a `BertClassifier`, looked up by name once.
struct ParameterEntries: Sendable {
    struct Layer: Sendable {
        /// The query's weight and bias: the first of the fused [3C, C] and [3C] blocks (query,
        /// key and value stored side by side, see `parameterLayout`), used only as start pointers.
        var qkvWeight, qkvBias: TensorEntry
        var attnOutWeight, attnOutBias, norm1Weight, norm1Bias: TensorEntry
        var interWeight, interBias, outWeight, outBias, norm2Weight, norm2Bias: TensorEntry
    }
    var wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embNormWeight, embNormBias: TensorEntry
    var layers: [Layer]
    var poolerWeight, poolerBias, classifierWeight, classifierBias: TensorEntry

    init<T: TrainScalar>(_ ps: ParameterSet<T>, config: BertClassifierConfig) {
        let C = config.encoder.hiddenSize
        wordEmbeddings = ps.entry(BertNames.wordEmbeddings)
        positionEmbeddings = ps.entry(BertNames.positionEmbeddings)
        tokenTypeEmbeddings = ps.entry(BertNames.tokenTypeEmbeddings)
        embNormWeight = ps.entry(BertNames.embeddingsNorm + ".weight")
        embNormBias = ps.entry(BertNames.embeddingsNorm + ".bias")
        layers = (0..<config.encoder.layers).map { l in
            let n = BertNames.Layer(l)
            let q = ps.entry(n.query + ".weight"), qb = ps.entry(n.query + ".bias")
            // The fused views rely on the layout's order: key and value right after query.
            precondition(ps.entry(n.key + ".weight").offset == q.offset + C * C && ps.entry(n.value + ".weight").offset == q.offset + 2 * C * C)
            precondition(ps.entry(n.key + ".bias").offset == qb.offset + C && ps.entry(n.value + ".bias").offset == qb.offset + 2 * C)
            return Layer(qkvWeight: q, qkvBias: qb,
                         attnOutWeight: ps.entry(n.attentionOutput + ".weight"), attnOutBias: ps.entry(n.attentionOutput + ".bias"),
                         norm1Weight: ps.entry(n.attentionNorm + ".weight"), norm1Bias: ps.entry(n.attentionNorm + ".bias"),
                         interWeight: ps.entry(n.intermediate + ".weight"), interBias: ps.entry(n.intermediate + ".bias"),
                         outWeight: ps.entry(n.output + ".weight"), outBias: ps.entry(n.output + ".bias"),
                         norm2Weight: ps.entry(n.outputNorm + ".weight"), norm2Bias: ps.entry(n.outputNorm + ".bias"))
        }
        poolerWeight = ps.entry(BertNames.pooler + ".weight")
        poolerBias = ps.entry(BertNames.pooler + ".bias")
        classifierWeight = ps.entry(BertNames.classifier + ".weight")
        classifierBias = ps.entry(BertNames.classifier + ".bias")
    }
}

/// The forward pass's activations for a batch of at most B × T tokens (N = B·T rows), one flat
/// buffer; shapes beside the names. Dropout outputs and masks exist only when the
/// configuration has dropout.
struct ActivationLayout: Sendable {
    struct Layer: Sendable {
        var qkv: TensorEntry                 // [N, 3C]
        var probs: TensorEntry               // [B, NH, T, T] softmax
        var dropped, dropMask: TensorEntry   // [B, NH, T, T] (attention dropout)
        var ctx, attnOut: TensorEntry        // [N, C]
        var attnDrop, attnDropMask: TensorEntry
        var res1, norm1: TensorEntry         // [N, C]
        var norm1Mean, norm1Rstd: TensorEntry // [N]
        var inter, gelu: TensorEntry         // [N, F]
        var ffOut, ffDrop, ffDropMask: TensorEntry
        var res2, norm2: TensorEntry         // [N, C]; norm2 is the layer's output
        var norm2Mean, norm2Rstd: TensorEntry
    }
    var layout = TensorLayout()
    var mask: TensorEntry                    // [B, T] 0/1
    var emb, embNorm, embDrop, embDropMask: TensorEntry  // [N, C]
    var embMean, embRstd: TensorEntry        // [N]
    var layers: [Layer] = []
    var pooledIn, poolerPre, pooled, headDrop, headDropMask: TensorEntry  // [B, C]
    var logits, probs: TensorEntry           // [B, K]

    init(config: BertClassifierConfig, batch B: Int, length T: Int) {
        let e = config.encoder, C = e.hiddenSize, F = e.intermediateSize, N = B * T
        let hd = e.hiddenDropout > 0, ad = e.attentionDropout > 0
        var t = TensorLayout()
        // A 1-element placeholder stands for a buffer that is never used (no dropout).
        var unused = 0
        func opt(_ name: String, _ shape: [Int], _ present: Bool) -> TensorEntry {
            if present { return t.add(name, shape) }
            unused += 1
            return t.add("\(name).unused\(unused)", [1])
        }
        mask = t.add("mask", [B, T])
        emb = t.add("emb", [N, C])
        embNorm = t.add("emb_norm", [N, C])
        embMean = t.add("emb_mean", [N]); embRstd = t.add("emb_rstd", [N])
        embDrop = opt("emb_drop", [N, C], hd); embDropMask = opt("emb_drop_mask", [N, C], hd)
        for l in 0..<e.layers {
            let s = "l\(l)."
            layers.append(Layer(
                qkv: t.add(s + "qkv", [N, 3 * C]),
                probs: t.add(s + "probs", [B, e.heads, T, T]),
                dropped: opt(s + "dropped", [B, e.heads, T, T], ad), dropMask: opt(s + "drop_mask", [B, e.heads, T, T], ad),
                ctx: t.add(s + "ctx", [N, C]), attnOut: t.add(s + "attn_out", [N, C]),
                attnDrop: opt(s + "attn_drop", [N, C], hd), attnDropMask: opt(s + "attn_drop_mask", [N, C], hd),
                res1: t.add(s + "res1", [N, C]), norm1: t.add(s + "norm1", [N, C]),
                norm1Mean: t.add(s + "norm1_mean", [N]), norm1Rstd: t.add(s + "norm1_rstd", [N]),
                inter: t.add(s + "inter", [N, F]), gelu: t.add(s + "gelu", [N, F]),
                ffOut: t.add(s + "ff_out", [N, C]), ffDrop: opt(s + "ff_drop", [N, C], hd), ffDropMask: opt(s + "ff_drop_mask", [N, C], hd),
                res2: t.add(s + "res2", [N, C]), norm2: t.add(s + "norm2", [N, C]),
                norm2Mean: t.add(s + "norm2_mean", [N]), norm2Rstd: t.add(s + "norm2_rstd", [N])))
        }
        let cd = config.classifierDropout > 0
        pooledIn = t.add("pooled_in", [B, C]); poolerPre = t.add("pooler_pre", [B, C]); pooled = t.add("pooled", [B, C])
        headDrop = opt("head_drop", [B, C], cd); headDropMask = opt("head_drop_mask", [B, C], cd)
        logits = t.add("logits", [B, config.classes]); probs = t.add("probs", [B, config.classes])
        layout = t
    }
}

/// Gradients of the activations: one encoder layer's worth of scratch, reused layer by layer.
struct GradientLayout: Sendable {
    var layout = TensorLayout()
    var dX, dRes, dA, dNorm1, dCtx: TensorEntry   // [N, C]
    var dQKV: TensorEntry                          // [N, 3C]
    var dInter, dGelu: TensorEntry                 // [N, F]
    var dScores: TensorEntry                       // [T, T] one head's block
    var pooledIn, poolerPre, pooled: TensorEntry   // [B, C]
    var logits: TensorEntry                        // [B, K]

    init(config: BertClassifierConfig, batch B: Int, length T: Int) {
        let e = config.encoder, C = e.hiddenSize, F = e.intermediateSize, N = B * T
        var t = TensorLayout()
        dX = t.add("dx", [N, C]); dRes = t.add("dres", [N, C]); dA = t.add("da", [N, C])
        dNorm1 = t.add("dnorm1", [N, C]); dCtx = t.add("dctx", [N, C])
        dQKV = t.add("dqkv", [N, 3 * C])
        dInter = t.add("dinter", [N, F]); dGelu = t.add("dgelu", [N, F])
        dScores = t.add("dscores", [T, T])
        pooledIn = t.add("dpooled_in", [B, C]); poolerPre = t.add("dpooler_pre", [B, C]); pooled = t.add("dpooled", [B, C])
        logits = t.add("dlogits", [B, config.classes])
        layout = t
    }
}
