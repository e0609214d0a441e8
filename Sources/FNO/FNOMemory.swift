import Checkpoint

extension FNOConfig {
    /// The buffers a training run of this model allocates, by part, every product checked: per
    /// layer its parameters with gradients and Adam's two moments; one tape of activations per
    /// rollout step (`tapes`) for `batch` samples, plus the backward scratch.
    public func memoryPlan(batch: Int, tapes: Int) -> MemoryPlan {
        var plan = MemoryPlan()
        let W = width
        let spectralModes = MemoryBudget.bytes([Int](repeating: modes, count: dims) + [2, corners]) ?? .max
        plan.add("layer fc0", elements: [W, MemoryBudget.sum(inputChannels, dims, 1)], bytesEach: 4, copies: 4)
        for k in 0..<layers {
            plan.add("layer conv\(k) (\(W)×\(W) × \(spectralModes / 2) modes)", elements: [W, W, spectralModes], bytesEach: 4, copies: 4)
            plan.add("layer w\(k)", elements: [W, MemoryBudget.sum(W, 1)], bytesEach: 4, copies: 4)
        }
        plan.add("layer fc1", elements: [projection, MemoryBudget.sum(W, 1)], bytesEach: 4, copies: 4)
        plan.add("layer fc2", elements: [outputChannels, MemoryBudget.sum(projection, 1)], bytesEach: 4, copies: 4)
        let S = MemoryBudget.bytes(spatialShape) ?? .max
        let Sp = MemoryBudget.bytes(spatialShape.map { MemoryBudget.sum($0, padding) }) ?? .max
        // Per tape: the input, 2 padded buffers per layer, the projection and fc1's two buffers,
        // the output; the backward scratch is about one tape more.
        let perSample = [MemoryBudget.bytes(S, MemoryBudget.sum(inputChannels, dims)), MemoryBudget.bytes(2, layers, W, Sp),
                         MemoryBudget.bytes(S, W), MemoryBudget.bytes(S, 2, projection), MemoryBudget.bytes(S, outputChannels)]
        let sum = perSample.reduce(0) { MemoryBudget.sum($0, $1 ?? .max) }
        plan.add("activations (\(tapes) rollout steps of \(batch) samples)", elements: [batch, sum, MemoryBudget.sum(tapes, 1)], bytesEach: 4)
        return plan
    }
}
