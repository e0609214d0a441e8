import Checkpoint
import ComplexNumbers
import Foundation

/// Cross-checks of our Burgers and Darcy pipelines against the small real data sets shipped in
/// PyPI `neuraloperator==0.3.0` (`neuralop/datasets/data/`), read with `TorchFile`.
///
/// The tensors in those files are column-major views (PyTorch strides `(1, N, N·X, …)`, from the
/// original MATLAB data); `TorchFile` returns them in row-major order of their shapes.
public enum NeuralOperatorCrossCheck {
    // MARK: Burgers

    /// Agreement of our Burgers solver with `burgers_lowres.pt`.
    public struct BurgersResult: Sendable, Equatable {
        /// Samples compared.
        public let samples: Int
        /// Viscosity read from the file (`visc`).
        public let viscosity: Double
        /// Time between the file's frames assumed for the comparison.
        public let frameInterval: Double
        /// Per-sample relative L2 error `‖ours − theirs‖₂ / ‖theirs‖₂` over frames 1 … 16,
        /// averaged over the samples, and its maximum.
        public let meanRelativeL2: Double
        public let maxRelativeL2: Double
    }

    /// Runs our solver from each sample's initial condition (`input`, 16 points on `[0, 1)`,
    /// spectrally interpolated to `solverResolution` points) with the file's viscosity, and
    /// compares the trajectory at `t_j = j · frameInterval` with `output[:, j, :]`, `j = 1 … 16`.
    ///
    /// `frameInterval = 0.06`: the file's 17 frames are every 6th of the 101 frames at
    /// `Δt = 0.01` that neuraloperator's `load_burgers_1dtime` assumes (time domain
    /// `(temporal_length − 1)/100`); it is also the interval that minimises the error.
    /// - Throws: `CheckpointError` for an unreadable file, `PDEDataFileError` for unexpected tensor
    ///   shapes, solver errors.
    public static func burgers(file: String, samples: Range<Int>? = nil, frameInterval: Double = 0.06,
                               solverResolution: Int = 256) throws -> BurgersResult {
        let tensors = try TorchFile.load(file)
        func tensor(_ name: String) throws -> TorchTensor {
            guard let t = tensors.first(where: { $0.name == name }) else {
                throw PDEDataFileError(file: file, message: "no tensor '\(name)' (found: \(tensors.map(\.name).joined(separator: ", ")))")
            }
            return t
        }
        let input = try tensor("input"), output = try tensor("output"), visc = try tensor("visc")
        guard input.shape.count == 2, output.shape.count == 3, output.shape[0] == input.shape[0], output.shape[2] == input.shape[1],
              let nu = visc.values.first else {
            throw PDEDataFileError(file: file, message: "unexpected shapes input \(input.shape), output \(output.shape), visc \(visc.shape)")
        }
        let (count, frames, n) = (input.shape[0], output.shape[1], input.shape[1])
        let range = samples ?? 0..<count
        guard range.lowerBound >= 0, range.upperBound <= count, !range.isEmpty else {
            throw PDEDataFileError(file: file, message: "samples \(range) are outside 0..<\(count)")
        }
        let solver = try BurgersSolver(n: solverResolution, viscosity: nu)
        let times = (0..<frames).map { Double($0) * frameInterval }
        let stride = solverResolution / n
        var errors: [Double] = []
        for s in range {
            let u0 = try trigonometricInterpolation(Array(input.values[(s * n)..<((s + 1) * n)]), to: solverResolution)
            let ours = try solver.solve(initial: u0, times: times)
            var num = 0.0, den = 0.0
            for j in 1..<frames {
                for x in 0..<n {
                    let theirs = output.values[(s * frames + j) * n + x]
                    let d = ours[j][x * stride] - theirs
                    num += d * d
                    den += theirs * theirs
                }
            }
            errors.append((num / den).squareRoot())
        }
        return BurgersResult(samples: range.count, viscosity: nu, frameInterval: frameInterval,
                             meanRelativeL2: errors.reduce(0, +) / Double(errors.count), maxRelativeL2: errors.max()!)
    }

    /// The trigonometric interpolant of `x` (`n` points on `[0, 1)`, n even) evaluated on `m`
    /// points: zero-padding of the spectrum, with the Nyquist coefficient split evenly between
    /// `±n/2` so the interpolant is real.
    static func trigonometricInterpolation(_ x: [Double], to m: Int) throws -> [Double] {
        let n = x.count
        let small = try RealFFT<Double>(shape: [n]), large = try RealFFT<Double>(shape: [m])
        let X = small.forward(x)
        var Y = [Complex<Double>](repeating: .zero, count: large.spectrumCount)
        let scale = Double(m) / Double(n)
        for k in 0..<X.count { Y[k] = X[k] * (k == n / 2 && n % 2 == 0 ? scale / 2 : scale) }
        return large.inverse(Y)
    }

    // MARK: Darcy

    /// Agreement of our Darcy solver with `darcy_test_{16,32}.pt` / `darcy_train_16.pt`.
    public struct DarcyResult: Sendable, Equatable {
        /// Grid points per side in the file.
        public let resolution: Int
        /// Samples used to fit the two coefficient values, and samples evaluated (held out).
        public let fitSamples: Int
        public let evaluatedSamples: Int
        /// Fitted coefficient where the mask is true / false (source `f = 1`).
        public let coefficientTrue: Double
        public let coefficientFalse: Double
        /// Relative L2 error of the fitted fit samples (pooled).
        public let fitRelativeL2: Double
        /// Per-sample relative L2 error on the held-out samples: mean and maximum.
        public let meanRelativeL2: Double
        public let maxRelativeL2: Double
    }

    /// Solves `−∇·(a∇u) = 1`, `u = 0` on the boundary, on each sample's coefficient mask `x`
    /// and compares with its solution `y`.
    ///
    /// The file's generator is unpublished; its `n × n` values sit on the nodes `(i/n, j/n)`,
    /// `i, j = 0 … n−1` of a grid whose far boundary `x = 1` is not stored (the first row and
    /// column are ≈ 0, the last are not). We therefore solve on our vertex-centred grid of
    /// spacing `1/n` at their resolution, with the mask's value at each node (the missing
    /// boundary nodes copy their neighbours), and fit the two coefficient values: the contrast
    /// `r = a_false / a_true` by golden-section search on `log r ∈ [log 0.005, log 1]`, and the
    /// scale `1 / a_true` in closed form (least squares), on the first `fitSamples` samples;
    /// the remaining samples are held out.
    /// - Throws: `CheckpointError`, `PDEDataFileError` for unexpected tensors, solver errors.
    ///
    /// `grid: .cellCentered` tests the alternative reading (values at cell centres `(i+½)/n`,
    /// the boundary half a cell away on all sides), which fits far worse.
    public static func darcy(file: String, fitSamples: Int = 8, evaluate: Range<Int>? = nil,
                             grid: DarcySolver.Grid = .vertexCentered) throws -> DarcyResult {
        let tensors = try TorchFile.load(file)
        guard let x = tensors.first(where: { $0.name == "x" }), let y = tensors.first(where: { $0.name == "y" }),
              x.shape.count == 3, x.shape == y.shape, x.shape[1] == x.shape[2] else {
            throw PDEDataFileError(file: file, message: "expected tensors 'x' and 'y' of one shape (samples, n, n); found \(tensors.map { "\($0.name) \($0.shape)" })")
        }
        let (count, n) = (x.shape[0], x.shape[1])
        let held = evaluate ?? fitSamples..<count
        guard fitSamples >= 1, fitSamples <= count, held.lowerBound >= 0, held.upperBound <= count, !held.isEmpty else {
            throw PDEDataFileError(file: file, message: "cannot fit on \(fitSamples) and evaluate \(held) of \(count) samples")
        }
        let solver = try DarcySolver(n: n, grid: grid, tolerance: 1e-10)
        let w = n + 1
        func mask(_ s: Int) -> [Bool] { x.values[(s * n * n)..<((s + 1) * n * n)].map { $0 != 0 } }
        func target(_ s: Int) -> [Double] { Array(y.values[(s * n * n)..<((s + 1) * n * n)]) }
        /// u on the file's nodes for a = 1 where the mask is true and `r` elsewhere.
        func solve(_ s: Int, contrast r: Double) throws -> [Double] {
            let m = mask(s)
            if grid == .cellCentered { return try solver.solve(coefficient: m.map { $0 ? 1 : r }).u }
            var a = [Double](repeating: 1, count: w * w)
            for i in 0...n { for j in 0...n { a[i * w + j] = m[min(i, n - 1) * n + min(j, n - 1)] ? 1 : r } }
            let u = try solver.solve(coefficient: a).u
            var out = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { out[i * n + j] = u[i * w + j] } }
            return out
        }
        /// Pooled relative error and least-squares scale over the fit samples for contrast r.
        func fit(_ r: Double) throws -> (error: Double, scale: Double) {
            var uy = 0.0, uu = 0.0, yy = 0.0
            var solutions: [([Double], [Double])] = []
            for s in 0..<fitSamples {
                let u = try solve(s, contrast: r), t = target(s)
                solutions.append((u, t))
                for k in 0..<(n * n) { uy += u[k] * t[k]; uu += u[k] * u[k]; yy += t[k] * t[k] }
            }
            let c = uy / uu
            var rr = 0.0
            for (u, t) in solutions { for k in 0..<(n * n) { let d = c * u[k] - t[k]; rr += d * d } }
            return ((rr / yy).squareRoot(), c)
        }
        // Golden-section search on log r.
        var lo = log(0.005), hi = log(1.0)
        let phi = (5.0.squareRoot() - 1) / 2
        var a = hi - phi * (hi - lo), b = lo + phi * (hi - lo)
        var fa = try fit(exp(a)).error, fb = try fit(exp(b)).error
        while hi - lo > 1e-5 {
            if fa < fb { hi = b; b = a; fb = fa; a = hi - phi * (hi - lo); fa = try fit(exp(a)).error }
            else { lo = a; a = b; fa = fb; b = lo + phi * (hi - lo); fb = try fit(exp(b)).error }
        }
        let r = exp((lo + hi) / 2)
        let (fitError, c) = try fit(r)
        var errors: [Double] = []
        for s in held {
            let u = try solve(s, contrast: r), t = target(s)
            var num = 0.0, den = 0.0
            for k in 0..<(n * n) { let d = c * u[k] - t[k]; num += d * d; den += t[k] * t[k] }
            errors.append((num / den).squareRoot())
        }
        return DarcyResult(resolution: n, fitSamples: fitSamples, evaluatedSamples: held.count,
                           coefficientTrue: 1 / c, coefficientFalse: r / c, fitRelativeL2: fitError,
                           meanRelativeL2: errors.reduce(0, +) / Double(errors.count), maxRelativeL2: errors.max()!)
    }
}
