/// The floating-point precision of an FFTW transform: `fftwf_*` (single) or `fftw_*` (double).
public enum FFTPrecision: String, Sendable, Hashable {
    case single, double
}

/// A scalar type FFTW can transform: `Float` (libfftw3f) or `Double` (libfftw3).
public protocol FFTScalar: BinaryFloatingPoint, Sendable {
    /// Which FFTW library transforms this type.
    static var fftPrecision: FFTPrecision { get }
}

extension Float: FFTScalar {
    public static var fftPrecision: FFTPrecision { .single }
}

extension Double: FFTScalar {
    public static var fftPrecision: FFTPrecision { .double }
}

/// What went wrong when preparing a transform.
public enum FFTError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A dimension or batch count is zero, negative, or too large for FFTW's `int`.
    case invalidShape(shape: [Int], batch: Int, reason: String)
    /// FFTW returned no plan (it cannot compute this transform with the requested flags).
    case planningFailed(kind: String, precision: FFTPrecision, shape: [Int], batch: Int)
    /// A spectral-corner request that does not fit the spectrum (overlapping or too many modes).
    case invalidModes(shape: [Int], modes: [Int], reason: String)

    public var description: String {
        switch self {
        case let .invalidShape(shape, batch, reason):
            return "invalid FFT shape \(shape) × batch \(batch): \(reason)"
        case let .planningFailed(kind, precision, shape, batch):
            return "FFTW could not plan a \(precision)-precision \(kind) transform of shape \(shape) × batch \(batch)"
        case let .invalidModes(shape, modes, reason):
            return "invalid modes \(modes) for spatial shape \(shape): \(reason)"
        }
    }
}
