/// Softmax cross-entropy, PyTorch's `F.cross_entropy(logits, labels)` with mean reduction.
///
/// Shapes: logits [B, C], labels [B] in 0..<C, probs [B, C].
/// loss = (1/B) Σ_r −log softmax(logits_r)[label_r], softmax computed with the row maximum
/// subtracted (no overflow). Gradient: dlogits = (probs − onehot(label)) / B.
public enum SoftmaxCrossEntropy {
    /// Writes probs and returns the mean loss (accumulated in Double).
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(probs: UnsafeMutablePointer<T>, logits: UnsafePointer<T>,
                                               labels: UnsafePointer<Int32>, batch B: Int, classes C: Int) -> Double {
        var loss = 0.0
        for r in 0..<B {
            let lr = logits + r * C, pr = probs + r * C
            var mx = lr[0]
            for c in 1..<C where lr[c] > mx { mx = lr[c] }
            var sum: T = 0
            for c in 0..<C { pr[c] = T.exp(lr[c] - mx); sum += pr[c] }
            for c in 0..<C { pr[c] /= sum }
            let y = Int(labels[r])
            // log p_y = (l_y − max) − log Σ exp(l − max), exact even when p_y underflows.
            loss -= Double(lr[y] - mx) - Double(T.log(sum))
        }
        return loss / Double(B)
    }

    /// dlogits [B, C] = (probs − onehot(labels)) / B (overwritten).
    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(dLogits: UnsafeMutablePointer<T>, probs: UnsafePointer<T>,
                                                labels: UnsafePointer<Int32>, batch B: Int, classes C: Int) {
        let inv = 1 / T(B)
        for r in 0..<B {
            for c in 0..<C { dLogits[r * C + c] = probs[r * C + c] * inv }
            dLogits[r * C + Int(labels[r])] -= inv
        }
    }
}
