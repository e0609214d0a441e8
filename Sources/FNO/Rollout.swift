import Train

/// PDEBench's autoregressive training and evaluation of an FNO (`pdebench/models/fno/train.py`):
///
/// the model sees a window of `initialStep` frames [B, S…, initialStep·C] (time-major channels)
/// and predicts the next frame [B, S…, C]; the window then slides by one frame, the prediction
/// taking the place of the data (`xx = cat(xx[..., 1:, :], im)`). Training runs frames
/// `initialStep ..< tTrain` with loss Σ_t MSE(pred_t, y_t) (MSE = mean over B·S·C) and
/// back-propagates through the whole rollout; evaluation runs every frame of the sample.
/// Darcy is the special case initialStep 1, T = 2: one step from the coefficient to the solution.
public final class Rollout {
    public let model: FNOModel<Float>
    public let initialStep: Int
    public let channels: Int
    public let points: Int
    private var tapes: [Int: [FNOTape<Float>]] = [:]
    private var window: [Float]
    private var dWindow: [Float]
    private var dFrames: [[Float]] = []
    private var evalFrames: [FlatBuffer<Float>] = []

    public init(model: FNOModel<Float>, initialStep: Int, channels: Int) {
        self.model = model
        self.initialStep = initialStep
        self.channels = channels
        points = model.config.grid.points
        let n = model.maxBatch * points * initialStep * channels
        window = [Float](repeating: 0, count: n)
        dWindow = window
    }

    func tapes(batch: Int, steps: Int) -> [FNOTape<Float>] {
        var list = tapes[batch] ?? []
        while list.count < steps { list.append(model.makeTape(batch: batch)) }
        tapes[batch] = list
        return list
    }

    /// Frame `j` of sample b: data for j < initialStep or when no prediction exists, else the
    /// prediction (`predictions[j − initialStep]`, [B, S, C]).
    @inline(__always)
    private func fillWindow(step: Int, batch B: Int, data: UnsafePointer<Float>, frames T: Int, predictions: [UnsafePointer<Float>]) {
        let S = points, C = channels, K = initialStep
        window.withUnsafeMutableBufferPointer { w in
            for b in 0..<B {
                for s in 0..<S {
                    let row = w.baseAddress! + (b * S + s) * K * C
                    for k in 0..<K {
                        let j = step + k
                        if j < K {
                            (row + k * C).update(from: data + ((b * S + s) * T + j) * C, count: C)
                        } else {
                            (row + k * C).update(from: predictions[j - K] + (b * S + s) * C, count: C)
                        }
                    }
                }
            }
        }
    }

    /// One training batch: forward through frames initialStep ..< tTrain, the loss, and the
    /// gradient accumulated into `model.parameters.grads` (zero them first).
    /// - Parameters: data [B, S…, T, C]; returns Σ_t MSE_t (PDEBench's `loss`).
    public func trainStep(data: UnsafePointer<Float>, batch B: Int, frames T: Int, tTrain: Int) throws -> Double {
        let S = points, C = channels, K = initialStep, steps = tTrain - K
        precondition(steps >= 1 && tTrain <= T)
        let tp = tapes(batch: B, steps: steps)
        var predictions: [UnsafePointer<Float>] = []
        var loss = 0.0
        let scale = 1 / Double(B * S * C)
        for s in 0..<steps {
            fillWindow(step: s, batch: B, data: data, frames: T, predictions: predictions)
            try window.withUnsafeBufferPointer { try model.forward($0.baseAddress!, tape: tp[s]) }
            let p = tp[s].output.pointer
            var mse = 0.0
            for b in 0..<B { for i in 0..<S { for c in 0..<C {
                let d = Double(p[(b * S + i) * C + c]) - Double(data[((b * S + i) * T + K + s) * C + c])
                mse += d * d
            } } }
            loss += mse * scale
            predictions.append(UnsafePointer(p))
        }
        // Backward: dFrames[s] = ∂L/∂prediction s, from its own loss term and the later windows it fed.
        if dFrames.count < steps { dFrames += (dFrames.count..<steps).map { _ in [] } }
        for s in 0..<steps { dFrames[s] = [Float](repeating: 0, count: B * S * C) }
        let g = Float(2 * scale)
        for s in stride(from: steps - 1, through: 0, by: -1) {
            let p = tp[s].output.pointer
            dFrames[s].withUnsafeMutableBufferPointer { d in
                for b in 0..<B { for i in 0..<S { for c in 0..<C {
                    let k = (b * S + i) * C + c
                    d[k] += g * (p[k] - data[((b * S + i) * T + K + s) * C + c])
                } } }
            }
            let needInput = s > 0
            try dFrames[s].withUnsafeBufferPointer { dOut in
                try dWindow.withUnsafeMutableBufferPointer { dw in
                    try model.backward(dOut.baseAddress!, tape: tp[s], dx: needInput ? dw.baseAddress! : nil)
                }
            }
            guard needInput else { continue }
            // Window position k of step s is frame s + k, prediction s + k − K when ≥ 0.
            for k in 0..<K where s + k >= K {
                let target = s + k - K
                dFrames[target].withUnsafeMutableBufferPointer { d in
                    for r in 0..<(B * S) { for c in 0..<C { d[r * C + c] += dWindow[(r * K + k) * C + c] } }
                }
            }
        }
        return loss
    }

    /// Predicts every frame initialStep ..< T of `count` samples (in batches of at most
    /// `model.maxBatch`) and scores them with PDEBench's metrics.
    public func evaluate(_ samples: FNOSamples, frames T: Int) throws -> RegressionMetrics {
        var metrics = RegressionMetrics()
        let S = points, C = channels, K = initialStep, size = S * T * C
        var predicted = [Float](repeating: 0, count: model.maxBatch * size)
        var start = 0
        while start < samples.count {
            let B = min(model.maxBatch, samples.count - start)
            let tp = tapes(batch: B, steps: 1)[0]
            try samples.values.withUnsafeBufferPointer { all in
                let data = all.baseAddress! + start * size
                // Context frames are copied so `predicted` is a full [B, S, T, C] array.
                predicted.withUnsafeMutableBufferPointer { p in p.baseAddress!.update(from: data, count: B * size) }
                while evalFrames.count < T - K { evalFrames.append(FlatBuffer(count: model.maxBatch * S * C)) }
                for s in 0..<(T - K) {
                    fillWindow(step: s, batch: B, data: data, frames: T, predictions: evalFrames.prefix(s).map { UnsafePointer($0.pointer) })
                    try window.withUnsafeBufferPointer { try model.forward($0.baseAddress!, tape: tp) }
                    let out = evalFrames[s].pointer
                    out.update(from: tp.output.pointer, count: B * S * C)
                    for r in 0..<(B * S) { for c in 0..<C { predicted[(r * T + K + s) * C + c] = out[r * C + c] } }
                }
                predicted.withUnsafeBufferPointer { p in
                    metrics.add(prediction: p.baseAddress!, target: data, count: B, points: S, frames: T, channels: C, initialStep: K)
                }
            }
            start += B
        }
        return metrics
    }
}
