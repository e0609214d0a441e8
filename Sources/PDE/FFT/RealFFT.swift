import ComplexNumbers

/// Batched real-to-complex and complex-to-real discrete Fourier transforms over the trailing
/// axes of row-major arrays, through FFTW (`fftw_plan_many_dft_r2c` / `_c2r`).
///
/// **Layout.** The input holds `batch` real arrays of `shape` (row-major, the last axis
/// fastest) one after another: transform `b` reads `input[b·realCount ..< (b+1)·realCount]`.
/// Its half spectrum has `spectrumShape = shape` with the last axis `n/2 + 1` long (only the
/// non-negative frequencies of the last axis; the negative ones follow from Hermitian
/// symmetry), stored the same way with `spectrumCount` complex values per transform. On every
/// other axis of length `n`, index `k` holds frequency `k` for `k ≤ n/2` and `k − n` above
/// (numpy's `fftfreq` order): the lowest `m` frequencies sit at both ends of the axis —
/// see `SpectralCorners`. FNO layers use `shape = [X, Y]` and `batch = samples × channels`.
///
/// **Normalisation.** FFTW is unnormalised in both directions:
/// `forward`: `X[k] = Σ_j x[j] · exp(−2πi Σ_d j_d k_d / n_d)`;
/// `inverseUnnormalized`: `x[j] = Σ_k X[k] · exp(+2πi Σ_d j_d k_d / n_d)` (over the full
/// Hermitian spectrum), so `inverseUnnormalized(forward(x)) = N·x` with `N = realCount`.
/// `inverse` divides by `N`, as numpy's `irfftn` and PyTorch's `torch.fft.irfftn` (norm
/// "backward") do, so `inverse(forward(x)) = x`; `forward` matches `numpy.fft.rfftn`.
///
/// **Edge cases.** The complex-to-real transform reads only the half spectrum, so the
/// imaginary parts of the self-conjugate entries (frequency 0, and `n/2` for even `n`, on the
/// last axis) are ignored, as in numpy. FFTW's complex-to-real transforms overwrite their input;
/// the array API copies it first, `inverse(destroying:into:)` does not.
///
/// Plans come from `FFTPlanCache.shared` (made once per shape and reused; planning is
/// serialised, execution is thread-safe), so a `RealFFT` is cheap to create and may be used
/// from several threads at once.
public struct RealFFT<Scalar: FFTScalar>: Sendable {
    /// Spatial shape of one real array (the transformed axes).
    public let shape: [Int]
    /// Number of arrays transformed per call.
    public let batch: Int
    /// Real values per array: the product of `shape`.
    public let realCount: Int
    /// Complex values per half spectrum: the product of `spectrumShape`.
    public let spectrumCount: Int

    private let forwardAligned: FFTWPlan
    private let forwardUnaligned: FFTWPlan
    private let inverseAligned: FFTWPlan
    private let inverseUnaligned: FFTWPlan

    /// `shape` with its last axis replaced by `n/2 + 1`.
    public var spectrumShape: [Int] { shape.dropLast() + [shape.last! / 2 + 1] }

    /// Plans (or fetches from the cache) the forward and inverse transforms.
    /// - Throws: `FFTError.invalidShape` for an empty shape, a dimension or batch < 1, or sizes
    ///   beyond FFTW's 32-bit limits; `FFTError.planningFailed` if FFTW returns no plan.
    public init(shape: [Int], batch: Int = 1, rigor: FFTRigor = .estimate) throws {
        try FFTPlanCache.validate(shape: shape, batch: batch)
        self.shape = shape
        self.batch = batch
        realCount = shape.reduce(1, *)
        spectrumCount = shape.dropLast().reduce(1, *) * (shape.last! / 2 + 1)
        let cache = FFTPlanCache.shared
        let p = Scalar.fftPrecision
        func key(_ kind: FFTKind, _ aligned: Bool) -> FFTPlanCache.Key {
            .init(precision: p, kind: kind, shape: shape, batch: batch, aligned: aligned, rigor: rigor)
        }
        forwardAligned = try cache.plan(key(.realToComplex, true))
        forwardUnaligned = try cache.plan(key(.realToComplex, false))
        inverseAligned = try cache.plan(key(.complexToReal, true))
        inverseUnaligned = try cache.plan(key(.complexToReal, false))
    }

    /// Forward transform of `batch · realCount` reals into `batch · spectrumCount` complex values
    /// (unnormalised). The input is not modified.
    public func forward(_ input: UnsafePointer<Scalar>, into output: UnsafeMutablePointer<Complex<Scalar>>) {
        let inRaw = UnsafeMutableRawPointer(mutating: input), outRaw = UnsafeMutableRawPointer(output)
        let aligned = FFTPlanCache.isAligned(inRaw, precision: Scalar.fftPrecision)
            && FFTPlanCache.isAligned(outRaw, precision: Scalar.fftPrecision)
        (aligned ? forwardAligned : forwardUnaligned).execute(inRaw, outRaw)
    }

    /// Unnormalised inverse transform of `batch · spectrumCount` complex values into
    /// `batch · realCount` reals. **Overwrites `spectrum`** (FFTW's multi-dimensional
    /// complex-to-real algorithms work in place).
    public func inverse(destroying spectrum: UnsafeMutablePointer<Complex<Scalar>>, into output: UnsafeMutablePointer<Scalar>) {
        let inRaw = UnsafeMutableRawPointer(spectrum), outRaw = UnsafeMutableRawPointer(output)
        let aligned = FFTPlanCache.isAligned(inRaw, precision: Scalar.fftPrecision)
            && FFTPlanCache.isAligned(outRaw, precision: Scalar.fftPrecision)
        (aligned ? inverseAligned : inverseUnaligned).execute(inRaw, outRaw)
    }

    /// `numpy.fft.rfftn` of each of the `batch` arrays in `input` (unnormalised).
    /// - Precondition: `input.count == batch · realCount`.
    public func forward(_ input: [Scalar]) -> [Complex<Scalar>] {
        precondition(input.count == batch * realCount, "RealFFT.forward: expected \(batch * realCount) values, got \(input.count)")
        return [Complex<Scalar>](unsafeUninitializedCapacity: batch * spectrumCount) { out, initialized in
            input.withUnsafeBufferPointer { forward($0.baseAddress!, into: out.baseAddress!) }
            initialized = batch * spectrumCount
        }
    }

    /// `numpy.fft.irfftn` (divides by `realCount`), so that `inverse(forward(x)) == x`.
    /// - Precondition: `spectrum.count == batch · spectrumCount`.
    public func inverse(_ spectrum: [Complex<Scalar>]) -> [Scalar] {
        var x = inverseUnnormalized(spectrum)
        let scale = 1 / Scalar(realCount)
        for i in x.indices { x[i] *= scale }
        return x
    }

    /// The gradient through `forward`: given `G = ∂L/∂Re X + i ∂L/∂Im X` for the half spectra
    /// `X = forward(x)`, returns `∂L/∂x_j = Re Σ_{k ∈ half} G_k e^{+2πi j·k/n}`.
    ///
    /// Computed as `inverseUnnormalized(G ⊙ 1/w)` with `w = 2` on the last axis' interior
    /// frequencies (`0 < k < n/2`, which stand for a conjugate pair) and `w = 1` on the
    /// self-conjugate ones (`k = 0`, and `n/2` for even `n`). Checked against finite differences.
    /// - Precondition: `gradient.count == batch · spectrumCount`.
    public func forwardAdjoint(_ gradient: [Complex<Scalar>]) -> [Scalar] {
        inverseUnnormalized(weighted(gradient, interior: 1 / 2))
    }

    /// The gradient through `inverse` (normalised): given `∂L/∂y` for `y = inverse(X)`, returns
    /// `G = ∂L/∂Re X + i ∂L/∂Im X = (w/N) ⊙ forward(∂L/∂y)` (the same `w` as `forwardAdjoint`).
    ///
    /// This holds for any half spectrum `X`, Hermitian or not: FFTW's complex-to-real transform,
    /// like numpy's `irfftn`, uses only the Hermitian part of the self-conjugate entries (it
    /// ignores the imaginary part at `k = 0` and `n/2` of the last axis and, along the other
    /// axes, averages `X[k′, 0]` with `conj(X[−k′, 0])`). An FNO's weight-multiplied corners
    /// are not Hermitian, so this matters; the finite-difference test covers it.
    /// - Precondition: `gradient.count == batch · realCount`.
    public func inverseAdjoint(_ gradient: [Scalar]) -> [Complex<Scalar>] {
        let g = forward(gradient)
        return weighted(g, interior: 2).map { $0 * (1 / Scalar(realCount)) }
    }

    /// `s` with the last axis' interior frequencies multiplied by `interior`.
    private func weighted(_ s: [Complex<Scalar>], interior: Scalar) -> [Complex<Scalar>] {
        precondition(s.count == batch * spectrumCount, "RealFFT: expected \(batch * spectrumCount) spectral values, got \(s.count)")
        let n = shape.last!, h = n / 2 + 1
        var out = s
        for i in out.indices {
            let k = i % h
            if k != 0 && !(n % 2 == 0 && k == n / 2) { out[i] *= interior }
        }
        return out
    }

    /// The FFTW (unnormalised) inverse: `inverseUnnormalized(forward(x)) == realCount · x`.
    /// - Precondition: `spectrum.count == batch · spectrumCount`.
    public func inverseUnnormalized(_ spectrum: [Complex<Scalar>]) -> [Scalar] {
        precondition(spectrum.count == batch * spectrumCount, "RealFFT.inverse: expected \(batch * spectrumCount) values, got \(spectrum.count)")
        var scratch = spectrum
        return [Scalar](unsafeUninitializedCapacity: batch * realCount) { out, initialized in
            scratch.withUnsafeMutableBufferPointer { inverse(destroying: $0.baseAddress!, into: out.baseAddress!) }
            initialized = batch * realCount
        }
    }
}
