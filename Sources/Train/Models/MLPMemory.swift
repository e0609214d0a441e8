import Checkpoint

extension MLPConfig {
    /// The buffers a training run of this network allocates, by part, every product checked
    /// (so that absurd widths are an error, not a trap): per linear layer its weights and bias
    /// with their gradients and two optimizer slots (Adam's moments; SGD uses fewer), and its
    /// spectrum (Gram matrix and eigensolver workspace, 3 M² doubles, M = the smaller side);
    /// the activations and their gradients for `maxBatch` rows.
    public func memoryPlan(maxBatch: Int) -> MemoryPlan {
        var plan = MemoryPlan()
        let w = widths
        for l in 0..<(w.count - 1) {
            plan.add("layer fc\(l + 1) (\(w[l + 1])×\(w[l]) weights, gradients, optimizer state)", elements: [w[l + 1], MemoryBudget.sum(w[l], 1)], bytesEach: 4, copies: 4)
            plan.add("layer fc\(l + 1) spectrum", elements: [min(w[l], w[l + 1]), min(w[l], w[l + 1])], bytesEach: 8, copies: 3)
        }
        // x, z, (n), a, (h, mask) per hidden layer, logits and probabilities; twice (values and gradients).
        let perHidden = 2 + (layerNorm ? 1 : 0) + (dropout > 0 ? 2 : 0)
        var widths = inputs
        for h in hidden { widths = MemoryBudget.sum(widths, MemoryBudget.bytes(h, perHidden) ?? .max) }
        widths = MemoryBudget.sum(widths, MemoryBudget.bytes(classes, 2) ?? .max)
        plan.add("activations for \(maxBatch) rows", elements: [maxBatch, widths], bytesEach: 4, copies: 2)
        return plan
    }
}
