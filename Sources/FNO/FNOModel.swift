import ComplexNumbers
import PDE
import Random
import Train

/// The activations one forward pass keeps for its backward pass. An autoregressive rollout
/// keeps one tape per step (the gradient flows back through every step).
public final class FNOTape<T: FNOScalar> {
    public let batch: Int
    /// [B·S, in + d]: the input with the grid coordinates appended (fc0's input).
    let input: FlatBuffer<T>
    /// [B, W, Sp] per layer: each Fourier layer's input (channels-first, padded).
    let hidden: [FlatBuffer<T>]
    /// [B, W, Sp] per layer but the last: conv_l(x) + w_l(x), before GELU.
    let preActivation: [FlatBuffer<T>]
    /// Per layer: the input's spectral corner blocks [M][B][W] (complex).
    let blocks: [UnsafeMutablePointer<Complex<T>>]
    /// [B·S, W]: the last Fourier layer's output, unpadded, channels-last (fc1's input).
    let projected: FlatBuffer<T>
    /// [B·S, P]: fc1's output and its GELU.
    let z1: FlatBuffer<T>
    let a1: FlatBuffer<T>
    /// [B·S, out]: the prediction.
    public let output: FlatBuffer<T>

    init(config c: FNOConfig, batch B: Int, blockCount: Int) {
        batch = B
        let S = c.grid.points, Sp = c.grid.paddedPoints, W = c.width
        input = FlatBuffer(count: B * S * (c.inputChannels + c.dims))
        hidden = (0..<c.layers).map { _ in FlatBuffer(count: B * W * Sp) }
        preActivation = (0..<(c.layers - 1)).map { _ in FlatBuffer(count: B * W * Sp) }
        blocks = (0..<c.layers).map { _ in
            let p = UnsafeMutablePointer<Complex<T>>.allocate(capacity: blockCount)
            p.initialize(repeating: .zero, count: blockCount)
            return p
        }
        projected = FlatBuffer(count: B * S * W)
        z1 = FlatBuffer(count: B * S * c.projection)
        a1 = FlatBuffer(count: B * S * c.projection)
        output = FlatBuffer(count: B * S * c.outputChannels)
    }

    deinit { for b in blocks { b.deallocate() } }
}

/// An FNO (1-D or 2-D) on flat buffers, with an explicit backward pass (see `FNOConfig` for
/// the architecture and `SpectralConv` for the Fourier layer).
///
/// Data layout: inputs [B, S…, in] and outputs [B, S…, out], channels-last as PDEBench's
/// `FNODatasetSingle` hands them to the model (in = initial_step × channels, time-major:
/// index t·channels + c). `grid` [S…, d] holds the coordinates appended to every input.
public final class FNOModel<T: FNOScalar>: @unchecked Sendable {  // scratch buffers: forward/backward run from one thread at a time
    public let config: FNOConfig
    public let parameters: ParameterSet<T>
    public let maxBatch: Int
    public let grid: [T]
    let pads: PaddedGrid
    let spectral: SpectralConv<T>
    // Backward scratch, shared by all tapes.
    let dA1: FlatBuffer<T>
    /// ∂L/∂z1, a buffer of its own: GELU's backward loop vectorises only without aliasing.
    let dZ1: FlatBuffer<T>
    let dProjected: FlatBuffer<T>
    let dPre: FlatBuffer<T>
    let dHidden: FlatBuffer<T>
    let dInput: FlatBuffer<T>
    let lastOutput: FlatBuffer<T>

    /// - Parameter grid: S·d coordinates (row-major over the grid, d per point).
    /// - Throws: `TrainError.invalidOption` for sizes that do not fit; `FFTError` if FFTW cannot plan.
    public init(config: FNOConfig, grid: [Double], maxBatch: Int) throws {
        try config.validate()
        precondition(maxBatch > 0)
        let p = config.grid
        guard grid.count == p.points * config.dims else {
            throw TrainError.invalidOption("the grid has \(grid.count) coordinates, the model needs \(p.points) points × \(config.dims)")
        }
        self.config = config
        self.maxBatch = maxBatch
        self.grid = grid.map { T($0) }
        pads = p
        parameters = ParameterSet(layout: config.parameterLayout)
        spectral = try SpectralConv(shape: p.paddedShape, modes: [Int](repeating: config.modes, count: config.dims),
                                    inChannels: config.width, outChannels: config.width, maxBatch: maxBatch)
        let B = maxBatch, S = p.points, Sp = p.paddedPoints, W = config.width
        dA1 = FlatBuffer(count: B * S * config.projection)
        dZ1 = FlatBuffer(count: B * S * config.projection)
        dProjected = FlatBuffer(count: B * S * W)
        dPre = FlatBuffer(count: B * W * Sp)
        dHidden = FlatBuffer(count: B * W * Sp)
        dInput = FlatBuffer(count: B * S * (config.inputChannels + config.dims))
        lastOutput = FlatBuffer(count: B * W * Sp)
    }

    /// A tape for `batch` samples.
    public func makeTape(batch: Int) -> FNOTape<T> {
        precondition(batch > 0 && batch <= maxBatch)
        return FNOTape(config: config, batch: batch, blockCount: spectral.blockCount(batch: batch))
    }

    @inline(__always) func param(_ name: String) -> UnsafeMutablePointer<T> { parameters.values[parameters.entry(name)] }
    @inline(__always) func grad(_ name: String) -> UnsafeMutablePointer<T> { parameters.grads[parameters.entry(name)] }
    func weights(_ k: Int) -> [UnsafePointer<T>] { (1...config.corners).map { UnsafePointer(param("conv\(k).weights\($0)")) } }
    func weightGrads(_ k: Int) -> [UnsafeMutablePointer<T>] { (1...config.corners).map { grad("conv\(k).weights\($0)") } }

    /// PyTorch's defaults: Linear and 1×1 conv weight and bias ~ U(−1/√fan_in, 1/√fan_in);
    /// spectral weights `scale · rand` (real and imaginary parts uniform in [0, scale)),
    /// scale = 1/(in · out). Tensors are filled in layout order from `rng`.
    public func initialize(rng: inout SeededRNG) {
        for e in parameters.entries {
            let p = parameters.values[e]
            if e.module.hasPrefix("conv") {
                let scale = 1 / Double(e.shape[0] * e.shape[1])
                for i in 0..<e.count { p[i] = T(scale * rng.uniform()) }
            } else {
                let w = parameters.entry(e.module + ".weight").shape
                let fanIn = w.dropFirst().reduce(1, *)
                let bound = 1 / Double(fanIn).squareRoot()
                for i in 0..<e.count { p[i] = T((2 * rng.uniform() - 1) * bound) }
            }
        }
    }

    /// Runs the model on `tape.batch` samples of x [B, S…, in]; the prediction [B, S…, out] is
    /// `tape.output`.
    public func forward(_ x: UnsafePointer<T>, tape t: FNOTape<T>) throws {
        let c = config, B = t.batch, S = pads.points, Sp = pads.paddedPoints, W = c.width, d = c.dims
        let I = c.inputChannels, Iin = I + d
        let inp = t.input.pointer
        grid.withUnsafeBufferPointer { g in
            for b in 0..<B {
                for s in 0..<S {
                    let row = inp + (b * S + s) * Iin
                    row.update(from: x + (b * S + s) * I, count: I)
                    for k in 0..<d { row[I + k] = g[s * d + k] }
                }
            }
        }
        // fc0 (channels-last), then pad into channels-first (dProjected is free scratch here).
        let lifted = dProjected.pointer
        Linear.forward(lifted, inp, weight: param("fc0.weight"), bias: param("fc0.bias"), batch: B * S, inputs: Iin, outputs: W)
        pads.pad(lifted, into: t.hidden[0].pointer, batch: B, channels: W)
        for k in 0..<c.layers {
            let out = k < c.layers - 1 ? t.preActivation[k].pointer : lastOutput.pointer
            spectral.forward(t.hidden[k].pointer, batch: B, weights: weights(k), into: out, saving: t.blocks[k])
            PointwiseConv.forward(out, t.hidden[k].pointer, weight: param("w\(k).weight"), bias: param("w\(k).bias"),
                                  batch: B, inputs: W, outputs: W, points: Sp, accumulate: true)
            if k < c.layers - 1 { GELU.forward(t.hidden[k + 1].pointer, out, count: B * W * Sp) }
        }
        pads.unpad(lastOutput.pointer, into: t.projected.pointer, batch: B, channels: W)
        Linear.forward(t.z1.pointer, t.projected.pointer, weight: param("fc1.weight"), bias: param("fc1.bias"),
                       batch: B * S, inputs: W, outputs: c.projection)
        GELU.forward(t.a1.pointer, t.z1.pointer, count: B * S * c.projection)
        Linear.forward(t.output.pointer, t.a1.pointer, weight: param("fc2.weight"), bias: param("fc2.bias"),
                       batch: B * S, inputs: c.projection, outputs: c.outputChannels)
    }

    /// Accumulates into `parameters.grads` the gradient for `dOutput` = ∂L/∂output [B, S…, out]
    /// of the forward pass recorded in `tape`; writes ∂L/∂x [B, S…, in] into `dx` when given.
    public func backward(_ dOutput: UnsafePointer<T>, tape t: FNOTape<T>, dx: UnsafeMutablePointer<T>?) throws {
        let c = config, B = t.batch, S = pads.points, Sp = pads.paddedPoints, W = c.width, d = c.dims, P = c.projection
        let I = c.inputChannels, Iin = I + d
        Linear.backward(dx: dA1.pointer, dWeight: grad("fc2.weight"), dBias: grad("fc2.bias"), dy: dOutput, x: t.a1.pointer,
                        weight: param("fc2.weight"), batch: B * S, inputs: P, outputs: c.outputChannels)
        GELU.backward(dZ1.pointer, dy: dA1.pointer, x: t.z1.pointer, count: B * S * P)
        Linear.backward(dx: dProjected.pointer, dWeight: grad("fc1.weight"), dBias: grad("fc1.bias"), dy: dZ1.pointer,
                        x: t.projected.pointer, weight: param("fc1.weight"), batch: B * S, inputs: W, outputs: P)
        pads.pad(dProjected.pointer, into: dPre.pointer, batch: B, channels: W)
        for k in stride(from: c.layers - 1, through: 0, by: -1) {
            // dPre = ∂L/∂(conv_k(h_k) + w_k(h_k)); dHidden = ∂L/∂h_k.
            spectral.backward(dy: dPre.pointer, batch: B, weights: weights(k), saved: t.blocks[k], dx: dHidden.pointer,
                                  dWeights: weightGrads(k))
            PointwiseConv.backward(dx: dHidden.pointer, dWeight: grad("w\(k).weight"), dBias: grad("w\(k).bias"), dy: dPre.pointer,
                                   x: t.hidden[k].pointer, weight: param("w\(k).weight"), batch: B, inputs: W, outputs: W,
                                   points: Sp, accumulateInput: true)
            if k > 0 { GELU.backward(dPre.pointer, dy: dHidden.pointer, x: t.preActivation[k - 1].pointer, count: B * W * Sp) }
        }
        pads.unpad(dHidden.pointer, into: dProjected.pointer, batch: B, channels: W)
        Linear.backward(dx: dx == nil ? nil : dInput.pointer, dWeight: grad("fc0.weight"), dBias: grad("fc0.bias"),
                        dy: dProjected.pointer, x: t.input.pointer, weight: param("fc0.weight"), batch: B * S, inputs: Iin, outputs: W)
        if let dx {
            for r in 0..<(B * S) { (dx + r * I).update(from: dInput.pointer + r * Iin, count: I) }
        }
    }
}
