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

    /// The array exp (the CKernels loop, at whatever vector width this CPU gets) is the scalar
    /// `FastMath.exp` bit for bit (no FMA contraction in either), its tails (n not a multiple of
    /// the width) included, and keeps the special values.
    @Test func arrayExpMatchesTheScalarOne() {
        for n in [1, 7, 16, 33, 1001] {
            let xs = (0..<n).map { Float(-90 + 180 * Double($0) / Double(max(n - 1, 1))) }
            var ys = xs
            ys.withUnsafeMutableBufferPointer { FastMath.exp($0.baseAddress!, count: n) }
            for (x, y) in zip(xs, ys) {
                #expect(y == FastMath.exp(x), "exp(\(x)) = \(y), scalar \(FastMath.exp(x)), n \(n)")
            }
        }
        var special: [Float] = [-100, 100, 0, -87.4, 88.8]
        special.withUnsafeMutableBufferPointer { FastMath.exp($0.baseAddress!, count: 5) }
        #expect(special[0] == 0 && special[1] == .infinity && special[2] == 1 && special[3] == 0 && special[4] == .infinity)
    }

    /// The Float GELU (the CKernels loops) is the same formulas in Swift's scalar FastMath bit for
    /// bit, element by element, on lengths with vector tails and in place.
    @Test func floatGELUIsTheFastMathFormula() {
        for n in [3, 17, 64, 1000] {
            let x = (0..<n).map { Float(-6 + 12 * Double($0) / Double(n)) + 0.013 }
            let dy = (0..<n).map { Float(0.5 + Double($0 % 7) / 3) }
            var y = [Float](repeating: .nan, count: n), dx = y
            GELU.forward(&y, x, count: n)
            GELU.backward(&dx, dy: dy, x: x, count: n)
            for i in 0..<n {
                let v = x[i], cdf = 0.5 * (1 + FastMath.erf(v * 0.707_106_781))
                let wantY = v * cdf, wantD = dy[i] * (cdf + v * 0.398_942_280 * FastMath.exp(-0.5 * v * v))
                #expect(y[i] == wantY, "GELU(\(v)) = \(y[i]), want \(wantY)")
                #expect(dx[i] == wantD, "GELU'(\(v))·dy = \(dx[i]), want \(wantD)")
            }
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { GELU.forward($0.baseAddress!, UnsafePointer($0.baseAddress!), count: n) }
            #expect(inPlace == y, "in place differs")
        }
    }
}
