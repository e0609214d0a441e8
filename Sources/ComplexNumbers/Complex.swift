/// A complex number stored as `(re, im)`, laid out like FFTW's `fftw_complex` / `fftwf_complex`
/// and BLAS's complex types (two consecutive scalars), so spectra can be handed to FFTW and
/// complex matrices to `?gemm` without copying. Its own small module so that PDE (FFTs),
/// LinearAlgebra (complex products) and FNO share it without depending on one another.
///
/// The layout is part of the API: `MemoryLayout<Complex<S>>.stride == 2 · MemoryLayout<S>.stride`,
/// so a buffer of `n` complex values may be rebound to `2n` scalars (real, imaginary, real, …),
/// which is how the FNO stores complex weights as real pairs in a flat parameter buffer.
@frozen
public struct Complex<Scalar: BinaryFloatingPoint & Sendable>: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var re: Scalar
    public var im: Scalar

    @inlinable public init(_ re: Scalar, _ im: Scalar = 0) {
        self.re = re
        self.im = im
    }

    @inlinable public static var zero: Complex { Complex(0, 0) }

    /// `e^{iθ} = cos θ + i sin θ`.
    @inlinable public static func unit(angle theta: Double) -> Complex {
        Complex(Scalar(_cosine(theta)), Scalar(_sine(theta)))
    }

    /// The complex conjugate `re − i·im`.
    @inlinable public var conjugate: Complex { Complex(re, -im) }

    /// `re² + im²`.
    @inlinable public var normSquared: Scalar { re * re + im * im }

    /// `|z| = √(re² + im²)`.
    @inlinable public var magnitude: Scalar { normSquared.squareRoot() }

    @inlinable public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    @inlinable public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    @inlinable public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
    @inlinable public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable public static func * (a: Complex, s: Scalar) -> Complex { Complex(a.re * s, a.im * s) }
    @inlinable public static func * (s: Scalar, a: Complex) -> Complex { Complex(a.re * s, a.im * s) }
    @inlinable public static func += (a: inout Complex, b: Complex) { a = a + b }
    @inlinable public static func -= (a: inout Complex, b: Complex) { a = a - b }
    @inlinable public static func *= (a: inout Complex, b: Complex) { a = a * b }
    @inlinable public static func *= (a: inout Complex, s: Scalar) { a = a * s }

    public var description: String { "\(re)\(im < 0 ? "-" : "+")\(abs(im))i" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@usableFromInline func _cosine(_ x: Double) -> Double { cos(x) }
@usableFromInline func _sine(_ x: Double) -> Double { sin(x) }
