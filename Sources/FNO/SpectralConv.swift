import ComplexNumbers
import PDE
import Train

/// The FNO's spectral convolution (Li et al. 2021; PDEBench's `SpectralConv1d` /
/// `SpectralConv2d_fast`), channels-first, with an explicit backward pass.
///
/// Shapes (row-major): x [B, I, S…], y [B, O, S…], S… the (padded) spatial shape `shape`.
/// For each corner c of the half spectrum (`SpectralCorners`: 1-D `[:m]`; 2-D `[:m₁, :m₂]` =
/// `weights1` and `[−m₁:, :m₂]` = `weights2`) the weights are a complex tensor [I, O, m…],
/// stored as real pairs [I, O, m…, 2] (PyTorch's `view_as_real`). Forward:
///
///     X = rfftn(x)  (unnormalised),   Z[b, o, k] = Σ_i X[b, i, k] · W_c[i, o, k]  on the corners,
///     Z = 0 elsewhere,                 y = irfftn(Z) = c2r(Z) / N   (N = ∏ S, PyTorch's "backward" norm)
///
/// Per retained mode k this is one complex matrix product [B × I]·[I × O] (`?gemm`, the
/// einsum `bixy,ioxy->boxy`). The transforms are `TruncatedDFT`'s: the DFT on the retained modes
/// only, as two gemms (the values of FFTW's full transform on the corners, and of its
/// complex-to-real inverse of the zero-filled half spectrum). Backward, with
/// G = ∂L/∂Re + i ∂L/∂Im (see `docs/fno.md`):
///
///     G_Z = irfftnᵀ(∂L/∂y) = (w_k / N) · rfftn(∂L/∂y)[k]      (`TruncatedDFT.inverseAdjoint`)
///     ∂L/∂W[k] += X[k]ᴴ · G_Z[k]                               ([I × B]·[B × O])
///     ∂L/∂x = rfftnᵀ(G_Z · Wᴴ)                                  (`TruncatedDFT.forwardAdjoint`)
///
/// where w_k = 2 for a frequency in the interior of the last axis (it stands for a conjugate
/// pair) and 1 at the self-conjugate ones (0 and n/2). The inverse ignores the anti-Hermitian
/// part of the self-conjugate entries, exactly as `torch.fft.irfftn` does, so the formulas hold
/// for the non-Hermitian Z an FNO makes.
///
/// The layer owns scratch sized for `maxBatch`; the input's corner blocks that backward needs
/// are kept by the caller (one per forward pass, see `blockCount`). Not thread-safe.
public final class SpectralConv<T: FNOScalar> {
    public let shape: [Int]
    public let modes: [Int]
    public let inChannels: Int
    public let outChannels: Int
    public let maxBatch: Int
    public let corners: SpectralCorners
    /// Retained modes over all corners (M).
    public var modeCount: Int { corners.count }
    /// Complex values a forward pass saves for backward: M · B · I.
    public func blockCount(batch: Int) -> Int { modeCount * batch * inChannels }
    /// The shape of one corner's weight tensor as stored: [I, O, m…, 2].
    public var weightShape: [Int] { [inChannels, outChannels] + modes + [2] }

    let outBlocks: UnsafeMutablePointer<Complex<T>>
    let gradBlocks: UnsafeMutablePointer<Complex<T>>
    let wt: UnsafeMutablePointer<Complex<T>>
    let dwt: UnsafeMutablePointer<Complex<T>>
    let transform: TruncatedDFT<T>

    /// - Throws: `FFTError.invalidModes` when the modes do not fit the shape (`2m ≤ n` on the
    ///   first axis, `m ≤ n/2 + 1` on the last) or the shape is not 1-D or 2-D.
    public init(shape: [Int], modes: [Int], inChannels: Int, outChannels: Int, maxBatch: Int) throws {
        precondition(inChannels > 0 && outChannels > 0 && maxBatch > 0)
        self.shape = shape
        self.modes = modes
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.maxBatch = maxBatch
        corners = try SpectralCorners(shape: shape, modes: modes)
        guard shape.count <= 2 else {
            throw FFTError.invalidModes(shape: shape, modes: modes, reason: "spectral layers are 1-D or 2-D")
        }
        let C = max(inChannels, outChannels), M = corners.count
        outBlocks = .allocate(capacity: M * maxBatch * C)
        gradBlocks = .allocate(capacity: M * maxBatch * C)
        wt = .allocate(capacity: M * inChannels * outChannels)
        dwt = .allocate(capacity: M * inChannels * outChannels)
        transform = TruncatedDFT(corners: corners, maxCount: maxBatch * C)
    }

    deinit {
        outBlocks.deallocate(); gradBlocks.deallocate(); wt.deallocate(); dwt.deallocate()
    }

    /// Copies the corner weights [I, O, m…] (one pointer per corner) into mode-major
    /// matrices wt[k] [I × O].
    func gatherWeights(_ weights: [UnsafePointer<T>]) {
        let I = inChannels, O = outChannels, Mc = corners.modesPerCorner
        precondition(weights.count == corners.cornerCount, "one weight tensor per corner is needed")
        for (c, w) in weights.enumerated() {
            let wc = UnsafeRawPointer(w).assumingMemoryBound(to: Complex<T>.self)
            for i in 0..<I {
                for o in 0..<O {
                    let src = wc + (i * O + o) * Mc
                    for q in 0..<Mc { wt[((c * Mc + q) * I + i) * O + o] = src[q] }
                }
            }
        }
    }

    /// The channel mixing of every retained mode into `outBlocks` [M][B][C_out]: Z[k] = X[k]·W[k]
    /// [B × O] (forward), or Z[k] = G[k]·W[k]ᴴ [B × I] (`adjoint`, the input gradient), one
    /// complex gemm per mode.
    /// - Parameter blocks: mode-major blocks [M][B][C_in] (C_in = I, or O when `adjoint`).
    func mix(_ blocks: UnsafePointer<Complex<T>>, batch B: Int, adjoint: Bool) {
        let M = corners.count
        let cin = adjoint ? outChannels : inChannels, cout = adjoint ? inChannels : outChannels
        for k in 0..<M {
            T.complexGemm(.plain, adjoint ? .adjoint : .plain, m: B, n: cout, k: cin, a: blocks + k * B * cin, lda: cin,
                          b: wt + k * inChannels * outChannels, ldb: outChannels, c: outBlocks + k * B * cout, ldc: cout,
                          accumulate: false)
        }
    }

    /// y [B, O, S…] = irfftn(corners(rfftn(x)) · W); saves x's corner blocks [M][B][I] in `saved`.
    public func forward(_ x: UnsafePointer<T>, batch B: Int, weights: [UnsafePointer<T>], into y: UnsafeMutablePointer<T>,
                        saving saved: UnsafeMutablePointer<Complex<T>>) {
        precondition(B > 0 && B <= maxBatch)
        gatherWeights(weights)
        transform.forward(x, count: B * inChannels, into: saved)
        mix(saved, batch: B, adjoint: false)
        transform.inverse(outBlocks, count: B * outChannels, into: y)
    }

    /// dx [B, I, S…] = ∂L/∂x (overwritten); dWeights (one per corner, [I, O, m…, 2]) += ∂L/∂W,
    /// from dy = ∂L/∂y and the blocks `saved` by the forward pass on the same weights.
    public func backward(dy: UnsafePointer<T>, batch B: Int, weights: [UnsafePointer<T>], saved: UnsafePointer<Complex<T>>,
                         dx: UnsafeMutablePointer<T>?, dWeights: [UnsafeMutablePointer<T>]) {
        precondition(B > 0 && B <= maxBatch)
        let I = inChannels, O = outChannels, M = corners.count, Mc = corners.modesPerCorner
        gatherWeights(weights)
        transform.inverseAdjoint(dy, count: B * O, into: gradBlocks)
        // ∂L/∂W[k] = X[k]ᴴ · G_Z[k].
        for k in 0..<M {
            T.complexGemm(.adjoint, .plain, m: I, n: O, k: B, a: saved + k * B * I, lda: I, b: gradBlocks + k * B * O, ldb: O,
                          c: dwt + k * I * O, ldc: O, accumulate: false)
        }
        for (c, dw) in dWeights.enumerated() {
            let dwc = UnsafeMutableRawPointer(dw).assumingMemoryBound(to: Complex<T>.self)
            for i in 0..<I {
                for o in 0..<O {
                    let dst = dwc + (i * O + o) * Mc
                    for q in 0..<Mc { dst[q] += dwt[((c * Mc + q) * I + i) * O + o] }
                }
            }
        }
        guard let dx else { return }
        // ∂L/∂x = rfftnᵀ(G_Z · Wᴴ).
        mix(gradBlocks, batch: B, adjoint: true)
        transform.forwardAdjoint(outBlocks, count: B * I, into: dx)
    }
}
