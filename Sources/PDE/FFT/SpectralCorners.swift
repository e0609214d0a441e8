import ComplexNumbers

/// The lowest `modes` frequencies of a half spectrum (`RealFFT` layout): the blocks an FNO
/// spectral convolution multiplies by its complex weights.
///
/// On the last axis the half spectrum holds only frequencies `0 … n/2`, so the lowest `m` are
/// indices `0 ..< m`. On every other axis of length `n`, frequencies `0 … m−1` sit at indices
/// `0 ..< m` and `−m … −1` at `n−m ..< n`. A rank-`r` spectrum therefore has `2^(r−1)`
/// corners; corner `c` takes the high end of non-last axis `d` when bit `r−2−d` of `c` is set
/// (the first axis is the most significant bit). For 2-D, corner 0 is `[:m₁, :m₂]` (the FNO's
/// `weights1`) and corner 1 is `[−m₁:, :m₂]` (`weights2`); for 1-D the only corner is `[:m]`.
///
/// Blocks are stored row-major as `[batch][corner][m₀]…[m_{r−1}]`, `count` values per spectrum.
public struct SpectralCorners: Sendable, Equatable {
    /// Real spatial shape (as given to `RealFFT`).
    public let shape: [Int]
    /// Modes kept per axis.
    public let modes: [Int]
    /// Half-spectrum shape: `shape` with the last axis `n/2 + 1`.
    public let spectrumShape: [Int]
    /// Spectrum offset (within one half spectrum) of every block entry, in block order.
    public let offsets: [Int]

    /// Number of corners, `2^(rank−1)`.
    public var cornerCount: Int { 1 << (shape.count - 1) }
    /// Complex values per corner: the product of `modes`.
    public var modesPerCorner: Int { modes.reduce(1, *) }
    /// Complex values per spectrum in the block layout.
    public var count: Int { offsets.count }
    /// Complex values per half spectrum.
    public var spectrumCount: Int { spectrumShape.reduce(1, *) }

    /// - Throws: `FFTError.invalidModes` unless `modes.count == shape.count`, every mode ≥ 1,
    ///   `2m ≤ n` on non-last axes (the two ends must not overlap) and `m ≤ n/2 + 1` on the last.
    public init(shape: [Int], modes: [Int]) throws {
        guard !shape.isEmpty, shape.count == modes.count else {
            throw FFTError.invalidModes(shape: shape, modes: modes, reason: "one mode count per axis is needed")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw FFTError.invalidModes(shape: shape, modes: modes, reason: "dimensions must be ≥ 1")
        }
        let r = shape.count
        for d in 0..<r {
            let limit = d == r - 1 ? shape[d] / 2 + 1 : shape[d] / 2
            guard modes[d] >= 1, modes[d] <= limit else {
                throw FFTError.invalidModes(shape: shape, modes: modes,
                                            reason: "axis \(d) of length \(shape[d]) allows 1…\(limit) modes\(d == r - 1 ? "" : " (both ends must not overlap)")")
            }
        }
        self.shape = shape
        self.modes = modes
        spectrumShape = shape.dropLast() + [shape[r - 1] / 2 + 1]
        var strides = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * spectrumShape[d + 1] }
        var offsets: [Int] = []
        offsets.reserveCapacity((1 << (r - 1)) * modes.reduce(1, *))
        for corner in 0..<(1 << (r - 1)) {
            var start = [Int](repeating: 0, count: r)
            for d in 0..<(r - 1) where corner & (1 << (r - 2 - d)) != 0 { start[d] = shape[d] - modes[d] }
            var index = [Int](repeating: 0, count: r)
            repeat {
                var o = 0
                for d in 0..<r { o += (start[d] + index[d]) * strides[d] }
                offsets.append(o)
                var d = r - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < modes[d] { break }
                    index[d] = 0
                    d -= 1
                }
                if d < 0 { break }
            } while true
        }
        self.offsets = offsets
    }

    /// Copies the corner blocks of `batch` half spectra into `blocks` (`batch · count` values).
    public func extract<S>(from spectrum: UnsafePointer<Complex<S>>, batch: Int, into blocks: UnsafeMutablePointer<Complex<S>>) {
        let n = spectrumCount, c = count
        for b in 0..<batch {
            let s = spectrum + b * n, out = blocks + b * c
            for (i, o) in offsets.enumerated() { out[i] = s[o] }
        }
    }

    /// Writes `blocks` (`batch · count` values) into the corners of `batch` half spectra; when
    /// `zeroingRest` is true every other frequency is set to zero (the FNO's `out_ft`).
    public func insert<S>(_ blocks: UnsafePointer<Complex<S>>, batch: Int, into spectrum: UnsafeMutablePointer<Complex<S>>,
                          zeroingRest: Bool = true) {
        let n = spectrumCount, c = count
        if zeroingRest { spectrum.update(repeating: .zero, count: batch * n) }
        for b in 0..<batch {
            let s = spectrum + b * n, inp = blocks + b * c
            for (i, o) in offsets.enumerated() { s[o] = inp[i] }
        }
    }

    /// The corner blocks of `batch` half spectra.
    /// - Precondition: `spectrum.count == batch · spectrumCount`.
    public func extract<S>(_ spectrum: [Complex<S>], batch: Int = 1) -> [Complex<S>] {
        precondition(spectrum.count == batch * spectrumCount, "SpectralCorners.extract: expected \(batch * spectrumCount) values, got \(spectrum.count)")
        return [Complex<S>](unsafeUninitializedCapacity: batch * count) { out, initialized in
            spectrum.withUnsafeBufferPointer { extract(from: $0.baseAddress!, batch: batch, into: out.baseAddress!) }
            initialized = batch * count
        }
    }

    /// `batch` half spectra that are zero except for `blocks` in their corners.
    /// - Precondition: `blocks.count == batch · count`.
    public func insert<S>(_ blocks: [Complex<S>], batch: Int = 1) -> [Complex<S>] {
        precondition(blocks.count == batch * count, "SpectralCorners.insert: expected \(batch * count) values, got \(blocks.count)")
        var spectrum = [Complex<S>](repeating: .zero, count: batch * spectrumCount)
        blocks.withUnsafeBufferPointer { b in
            spectrum.withUnsafeMutableBufferPointer { insert(b.baseAddress!, batch: batch, into: $0.baseAddress!, zeroingRest: false) }
        }
        return spectrum
    }
}
