import Foundation
import Testing
@testable import Train

/// `FastMath` against the C library (in Double) over dense grids, and the Float GELU against
/// the exact Double GELU.
@Suite struct FastMathTests {
    @Test func expMatchesTheLibrary() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
            x += 0.0017
        }
        #expect(worst < 1e-7, "relative error \(worst)")
        #expect(FastMath.exp(-100) == 0 && FastMath.exp(100) == .infinity && FastMath.exp(0) == 1)
    }

    @Test func erfMatchesTheLibrary() {
        var worst = 0.0
        var x: Float = -6
        while x < 6 {
            worst = max(worst, abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x))))
            x += 0.0001
        }
        #expect(worst < 5e-7, "absolute error \(worst)")
        #expect(FastMath.erf(0) == 0 && FastMath.erf(10) == 1 && FastMath.erf(-10) == -1)
    }

    @Test func floatGELUMatchesDouble() {
        let xs = stride(from: -8.0, through: 8.0, by: 0.01).map { $0 }
        var yd = [Double](repeating: 0, count: xs.count), dd = yd
        var yf = [Float](repeating: 0, count: xs.count), df = yf
        let ones = [Double](repeating: 1, count: xs.count), onesF = [Float](repeating: 1, count: xs.count)
        let xf = xs.map { Float($0) }
        GELU.forward(&yd, xs, count: xs.count)
        GELU.backward(&dd, dy: ones, x: xs, count: xs.count)
        GELU.forward(&yf, xf, count: xs.count)
        GELU.backward(&df, dy: onesF, x: xf, count: xs.count)
        #expect(yd.count == yf.count && dd.count == df.count)
        let worstY = zip(yd, yf).map { abs($0 - Double($1)) }.max()!
        let worstD = zip(dd, df).map { abs($0 - Double($1)) }.max()!
        #expect(worstY < 5e-6 && worstD < 5e-6, "GELU \(worstY), derivative \(worstD)")
    }
}
