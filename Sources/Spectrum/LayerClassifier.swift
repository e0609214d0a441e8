/// Decides from a tensor's name, shape and dtype whether it is a layer to analyse, and of what kind.
public enum LayerClassifier {
    /// The outcome: a layer kind, or the reason to skip.
    public typealias Outcome = Result<LayerKind, SkipReason>

    /// Classifies a tensor.
    ///
    /// - 2-D: an embedding if the name says so (`embed`, GGUF's `token_embd`, `wte`, `wpe`, `embeddings:0`,
    ///   `shared.weight`), else linear (Keras dense kernels are (in, out); the spectrum of a
    ///   matrix and its transpose are the same).
    /// - 3-D: conv1d; 4-D: conv2d; other ranks are skipped.
    /// - Integer/bool tensors and optimizer state (`optimizer`, `exp_avg`, `momentum_buffer`
    ///   in the name) are skipped.
    public static func classify(name: String, shape: [Int], isFloatingPoint: Bool) -> Outcome {
        let lower = name.lowercased()
        if isOptimizerState(lower) { return .failure(.optimizerState) }
        guard isFloatingPoint else { return .failure(.notFloatingPoint) }
        if shape.contains(0) { return .failure(.empty) }
        switch shape.count {
        case 0, 1: return .failure(.vector)
        case 2: return .success(isEmbedding(lower) ? .embedding : .linear)
        case 3: return .success(.conv1d)
        case 4: return .success(.conv2d)
        default: return .failure(.unsupportedRank(shape.count))
        }
    }

    static func isOptimizerState(_ lower: String) -> Bool {
        let components = lower.split(whereSeparator: { $0 == "/" || $0 == "." })
        if components.contains(where: { $0.hasPrefix("optimizer") }) { return true }
        return lower.contains("exp_avg") || lower.contains("momentum_buffer")
    }

    static func isEmbedding(_ lower: String) -> Bool {
        if lower.contains("embed") || lower.contains("token_embd") { return true }   // GGUF: token_embd.weight
        let last = lower.split(whereSeparator: { $0 == "/" || $0 == "." }).dropLast().last.map(String.init) ?? ""
        return ["wte", "wpe", "shared"].contains(last) || lower.hasSuffix("wte") || lower.hasSuffix("wpe")
    }
}
