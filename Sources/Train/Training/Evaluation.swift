import Random

/// Accuracy and mean loss of a model on a labelled set.
public struct Evaluation: Sendable, Equatable {
    public var accuracy: Double
    public var loss: Double
    public var count: Int

    public init(accuracy: Double, loss: Double, count: Int) {
        self.accuracy = accuracy; self.loss = loss; self.count = count
    }
}

extension MLP where T == Float {
    /// Evaluates on rows x [n, inputs] with labels y [n], in batches of `maxBatch`, without dropout.
    public func evaluate(x: [Float], y: [Int32]) -> Evaluation {
        let n = y.count, d = config.inputs, C = config.classes
        var correct = 0, lossSum = 0.0
        var unused = SeededRNG(seed: 0)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                var start = 0
                while start < n {
                    let B = min(maxBatch, n - start)
                    lossSum += forward(xb.baseAddress! + start * d, labels: yb.baseAddress! + start, batch: B,
                                       training: false, rng: &unused) * Double(B)
                    correct += Self.countCorrect(probabilities, labels: yb.baseAddress! + start, batch: B, classes: C)
                    start += B
                }
            }
        }
        return Evaluation(accuracy: n == 0 ? 0 : Double(correct) / Double(n), loss: n == 0 ? 0 : lossSum / Double(n), count: n)
    }

    /// How many rows' arg-max class (first on ties) equals the label.
    static func countCorrect(_ probs: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch B: Int, classes C: Int) -> Int {
        var correct = 0
        for r in 0..<B {
            var best = 0
            for c in 1..<C where probs[r * C + c] > probs[r * C + best] { best = c }
            if best == Int(labels[r]) { correct += 1 }
        }
        return correct
    }
}
