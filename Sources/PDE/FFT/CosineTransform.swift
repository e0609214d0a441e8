/// The DCT of type III (FFTW's `REDFT01`, unnormalised) over every axis of row-major arrays:
/// per axis of length `n`, `Y[k] = X[0] + 2 Σ_{j=1}^{n−1} X[j] cos(π j (k + ½) / n)`.
///
/// It evaluates a cosine series `Σ_j c_j cos(π j x)` at the cell centres `x_k = (k + ½)/n` of
/// `[0, 1]` (with `X[0] = c_0`, `X[j] = c_j / 2`), which is how a Gaussian random field with a
/// zero-Neumann Laplacian covariance is sampled. It is the inverse of FFTW's `REDFT10` (DCT-II)
/// up to a factor `2n` per axis. Plans come from `FFTPlanCache.shared`.
public struct CosineTransform<Scalar: FFTScalar>: Sendable {
    public let shape: [Int]
    public let count: Int
    private let aligned: FFTWPlan
    private let unaligned: FFTWPlan

    /// - Throws: `FFTError.invalidShape` / `.planningFailed` as `RealFFT.init`.
    public init(shape: [Int]) throws {
        try FFTPlanCache.validate(shape: shape, batch: 1)
        self.shape = shape
        count = shape.reduce(1, *)
        func key(_ a: Bool) -> FFTPlanCache.Key {
            .init(precision: Scalar.fftPrecision, kind: .cosineIII, shape: shape, batch: 1, aligned: a, rigor: .estimate)
        }
        aligned = try FFTPlanCache.shared.plan(key(true))
        unaligned = try FFTPlanCache.shared.plan(key(false))
    }

    /// The DCT-III of `input` (row-major, `shape`).
    /// - Precondition: `input.count == count`.
    public func typeIII(_ input: [Scalar]) -> [Scalar] {
        precondition(input.count == count, "CosineTransform: expected \(count) values, got \(input.count)")
        var source = input
        return [Scalar](unsafeUninitializedCapacity: count) { out, initialized in
            source.withUnsafeMutableBufferPointer { inp in
                let i = UnsafeMutableRawPointer(inp.baseAddress!), o = UnsafeMutableRawPointer(out.baseAddress!)
                let ok = FFTPlanCache.isAligned(i, precision: Scalar.fftPrecision) && FFTPlanCache.isAligned(o, precision: Scalar.fftPrecision)
                (ok ? aligned : unaligned).execute(i, o)
            }
            initialized = count
        }
    }
}
