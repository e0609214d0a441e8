import Foundation
import LinearAlgebra

/// The element types the layers are written for: `Float` for training, `Double` for the
/// gradient checks (the same code, so a check in Double tests the Float path's formulas).
/// Matrix products come from LinearAlgebra's `BLASScalar` (`T.gemm`).
public protocol TrainScalar: BLASScalar where Self.RawSignificand: FixedWidthInteger {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: TrainScalar {
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: TrainScalar {
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}
