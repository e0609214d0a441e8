internal import CKernels

/// Element-wise activations: forward `y = f(x)`, backward `dx = dy · f'(x)` (n elements).
public enum ReLU {
    /// y = max(0, x).
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
    }

    /// dx = dy · [x > 0] (the derivative at 0 is taken as 0, as PyTorch does).
    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, x: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { dx[i] = x[i] > 0 ? dy[i] : 0 }
    }
}

/// GELU, exact form (PyTorch's `nn.GELU()` default): `y = x · Φ(x)`, Φ(x) = ½(1 + erf(x/√2)).
/// Derivative: `Φ(x) + x · φ(x)`, φ(x) = exp(−x²/2)/√(2π).
/// In Float, erf and exp are `FastMath`'s polynomials (erf within 5e-7), run by the CKernels loops
/// (cloned per x86-64 level, so AVX-512 or AVX2 where the CPU has it: Swift builds for the
/// baseline's 4 lanes); in Double (the gradient checks) the C library's.
public enum GELU {
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count n: Int) {
        if T.self == Float.self {
            htsr_gelu_forward_f32(UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self),
                                  UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), n)
            return
        }
        let invSqrt2 = T(0.70710678118654752440)
        for i in 0..<n { y[i] = x[i] * T(0.5) * (1 + T.erf(x[i] * invSqrt2)) }
    }

    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, x: UnsafePointer<T>, count n: Int) {
        if T.self == Float.self {
            htsr_gelu_backward_f32(UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Float.self),
                                   UnsafeRawPointer(dy).assumingMemoryBound(to: Float.self),
                                   UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), n)
            return
        }
        let invSqrt2 = T(0.70710678118654752440)
        let invSqrt2Pi = T(0.39894228040143267794)
        for i in 0..<n {
            let v = x[i]
            let cdf = T(0.5) * (1 + T.erf(v * invSqrt2))
            let pdf = invSqrt2Pi * T.exp(-T(0.5) * v * v)
            dx[i] = dy[i] * (cdf + v * pdf)
        }
    }
}

/// The hidden-layer activation of a model.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case relu, gelu

    public func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count n: Int) {
        switch self {
        case .relu: ReLU.forward(y, x, count: n)
        case .gelu: GELU.forward(y, x, count: n)
        }
    }

    public func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, x: UnsafePointer<T>, count n: Int) {
        switch self {
        case .relu: ReLU.backward(dx, dy: dy, x: x, count: n)
        case .gelu: GELU.backward(dx, dy: dy, x: x, count: n)
        }
    }
}
