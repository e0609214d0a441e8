import ComplexNumbers
import Foundation
import Testing
@testable import PDE

struct SpectralCornersTests {
    /// 2-D: corner 0 is spectrum[:m1, :m2] and corner 1 is spectrum[X−m1:, :m2] (FNO's
    /// weights1 and weights2 blocks), in row-major order, for every spectrum of the batch.
    @Test func twoDimensionalCornersAreTheFNOBlocks() throws {
        let (X, Y, m1, m2, batch) = (8, 10, 3, 4, 2)
        let corners = try SpectralCorners(shape: [X, Y], modes: [m1, m2])
        let H = Y / 2 + 1
        #expect(corners.spectrumShape == [X, H])
        #expect(corners.cornerCount == 2 && corners.count == 2 * m1 * m2)
        let spectrum = (0..<(batch * X * H)).map { Complex(Double($0), -Double($0)) }
        let blocks = corners.extract(spectrum, batch: batch)
        for b in 0..<batch {
            for c in 0..<2 {
                for i in 0..<m1 {
                    for j in 0..<m2 {
                        let row = c == 0 ? i : X - m1 + i
                        let expected = spectrum[b * X * H + row * H + j]
                        #expect(blocks[b * corners.count + c * m1 * m2 + i * m2 + j] == expected)
                    }
                }
            }
        }
        // Insert puts them back and zeroes everything else.
        let rebuilt = corners.insert(blocks, batch: batch)
        for b in 0..<batch {
            for row in 0..<X {
                for col in 0..<H {
                    let inCorner = col < m2 && (row < m1 || row >= X - m1)
                    let v = rebuilt[b * X * H + row * H + col]
                    #expect(v == (inCorner ? spectrum[b * X * H + row * H + col] : .zero))
                }
            }
        }
    }

    /// 1-D keeps the lowest m frequencies; 3-D has four corners ordered by the first axis' bit.
    @Test func otherRanks() throws {
        let one = try SpectralCorners(shape: [16], modes: [5])
        #expect(one.offsets == [0, 1, 2, 3, 4])
        let three = try SpectralCorners(shape: [4, 6, 8], modes: [1, 2, 3])
        #expect(three.cornerCount == 4)
        // Corner 1 = (low, high, low): first entry at (0, 6−2, 0) in the (4, 6, 5) spectrum.
        #expect(three.offsets[1 * 6] == (0 * 6 + 4) * 5)
        // Corner 2 = (high, low, low): (4−1, 0, 0).
        #expect(three.offsets[2 * 6] == (3 * 6 + 0) * 5)
    }

    /// Keeping modes is an ideal low-pass filter: a sum of cosines at frequencies 1 and 5
    /// loses exactly the frequency-5 part when only 3 modes per axis are kept.
    @Test func lowPassThroughTheFFT() throws {
        let n = 16
        let fft = try RealFFT<Double>(shape: [n, n])
        let corners = try SpectralCorners(shape: [n, n], modes: [3, 3])
        var x = [Double](repeating: 0, count: n * n), low = x
        for i in 0..<n {
            for j in 0..<n {
                let a = 2 * Double.pi * Double(i) / Double(n), b = 2 * Double.pi * Double(j) / Double(n)
                low[i * n + j] = cos(a - 2 * b) + 0.5
                x[i * n + j] = low[i * n + j] + sin(5 * a + b)
            }
        }
        let filtered = fft.inverse(corners.insert(corners.extract(fft.forward(x))))
        #expect(filtered.count == low.count)
        #expect(zip(filtered, low).allSatisfy { abs($0 - $1) < 1e-13 })
    }

    @Test func invalidModesThrow() {
        #expect(throws: FFTError.self) { try SpectralCorners(shape: [8, 8], modes: [5, 3]) }   // 2·5 > 8
        #expect(throws: FFTError.self) { try SpectralCorners(shape: [8, 8], modes: [2, 6]) }   // 6 > 8/2+1
        #expect(throws: FFTError.self) { try SpectralCorners(shape: [8, 8], modes: [2]) }
        #expect(throws: FFTError.self) { try SpectralCorners(shape: [8], modes: [0]) }
        #expect(throws: Never.self) { try SpectralCorners(shape: [8, 8], modes: [4, 5]) }
    }
}
