import Train
import Random

/// The core of multi-head self-attention (BERT's `BertSelfAttention` after its three projections):
/// per sequence b and head h, with Q_bh, K_bh, V_bh the T × HS slices of q, k, v at columns
/// h·HS ..< (h+1)·HS (rows of `qkvStride` elements: C for separate tensors, 3C for the fused
/// projection's output [B, T, 3C] with q, k, v side by side),
///
///     S = Q_bh · K_bhᵀ / √HS,   P = softmax over keys j with mask[b, j] = 1 (masked keys get 0),
///     P̃ = Dropout(P),           ctx_bh = P̃ · V_bh            (written into ctx [B, T, C]).
///
/// Every product is one `gemm` on strided slices, so heads are never copied or
/// permuted. Keys after the last unmasked one (right padding) are left out of the products
/// altogether; masked keys inside that range get probability exactly 0, as Hugging Face's additive
/// mask of the dtype's minimum gives. Every sequence needs at least one unmasked key (the model
/// checks its inputs).
///
/// Storage: probs and dropped [B, NH, T, T] (row stride T; columns ≥ the key count unused), dropMask
/// the same (only with dropout), mask [B, T] as 0/1 values.
///
/// Backward (dP = dctx · Vᵀ, dV = P̃ᵀ · dctx, dP ← dP ∘ dropMask, dS = P ∘ (dP − Σ_j P·dP),
/// dQ = dS · K / √HS, dK = dSᵀ · Q / √HS) overwrites dq, dk, dv; `scratch` holds one T × T block.
public struct Attention<T: TrainScalar> {
    public let batch: Int, length: Int, channels: Int, heads: Int
    /// Elements between consecutive rows of q, k, v (and of dq, dk, dv).
    public let qkvStride: Int

    public init(batch B: Int, length L: Int, channels C: Int, heads NH: Int, qkvStride: Int? = nil) {
        precondition(C % NH == 0 && (qkvStride ?? C) >= C)
        batch = B; length = L; channels = C; heads = NH
        self.qkvStride = qkvStride ?? C
    }

    public var headSize: Int { channels / heads }
    var scale: T { 1 / T.sqrt(T(headSize)) }

    /// The number of keys that take part for sequence b: one past the last unmasked position.
    @inline(__always)
    func keyCount(_ mask: UnsafePointer<T>, _ b: Int) -> Int {
        var n = length
        while n > 1 && mask[b * length + n - 1] == 0 { n -= 1 }
        return n
    }

    @_specialize(exported: true, where T == Float)
    public func forward(ctx: UnsafeMutablePointer<T>, probs: UnsafeMutablePointer<T>, dropped: UnsafeMutablePointer<T>?,
                        dropMask: UnsafeMutablePointer<T>?, q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
                        mask: UnsafePointer<T>, dropout p: Double, rng: inout SeededRNG) {
        let B = batch, L = length, C = channels, NH = heads, HS = headSize, R = qkvStride
        let useDropout = p > 0 && dropped != nil && dropMask != nil
        for b in 0..<B {
            let n = keyCount(mask, b)
            let m = mask + b * L
            for h in 0..<NH {
                let base = (b * NH + h) * L * L
                let S = probs + base
                let qs = q + b * L * R + h * HS, ks = k + b * L * R + h * HS, vs = v + b * L * R + h * HS
                T.gemm(transA: false, transB: true, m: L, n: n, k: HS, alpha: scale, a: qs, lda: R, b: ks, ldb: R,
                       beta: 0, c: S, ldc: L)
                for i in 0..<L {
                    Self.maskedSoftmax(S + i * L, mask: m, count: n)
                }
                var P = UnsafePointer(S)
                if useDropout, let dropped, let dropMask {
                    for i in 0..<L {
                        Dropout.forward(dropped + base + i * L, mask: dropMask + base + i * L, S + i * L, count: n, p: p, rng: &rng)
                    }
                    P = UnsafePointer(dropped + base)
                }
                T.gemm(transA: false, transB: false, m: L, n: HS, k: n, alpha: 1, a: P, lda: L, b: vs, ldb: R,
                       beta: 0, c: ctx + b * L * C + h * HS, ldc: C)
            }
        }
    }

    /// Softmax of the row x[0..<n] in place over the entries with mask 1; those with mask 0
    /// become 0 (at least one must be 1). In Float the exponentials are `FastMath.exp` in a loop of
    /// their own (so it vectorises) and the maximum and the sum use eight partial accumulators.
    @inline(__always)
    static func maskedSoftmax(_ x: UnsafeMutablePointer<T>, mask: UnsafePointer<T>, count n: Int) {
        if T.self == Float.self {
            let xf = UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self)
            let mf = UnsafeRawPointer(mask).assumingMemoryBound(to: Float.self)
            var m8 = SIMD8<Float>(repeating: -.greatestFiniteMagnitude)
            var j = 0
            while j + 8 <= n {
                let v = SIMD8<Float>(UnsafeBufferPointer(start: xf + j, count: 8))
                let take = (SIMD8<Float>(UnsafeBufferPointer(start: mf + j, count: 8)) .!= 0) .& (v .> m8)
                m8.replace(with: v, where: take)
                j += 8
            }
            var mx = m8.max()
            while j < n { if mf[j] != 0 { mx = Swift.max(mx, xf[j]) }; j += 1 }
            // Masked entries go to −100, whose FastMath.exp is exactly 0; no branch in the exp loop.
            for j in 0..<n { xf[j] = mf[j] != 0 ? xf[j] - mx : -100 }
            FastMath.exp(xf, count: n)
            var s8 = SIMD8<Float>()
            j = 0
            while j + 8 <= n { s8 += SIMD8<Float>(UnsafeBufferPointer(start: xf + j, count: 8)); j += 8 }
            var sum = s8.sum()
            while j < n { sum += xf[j]; j += 1 }
            let inv = 1 / sum
            for j in 0..<n { xf[j] *= inv }
            return
        }
        var mx = -T.greatestFiniteMagnitude
        for j in 0..<n where mask[j] != 0 { mx = Swift.max(mx, x[j]) }
        var sum: T = 0
        for j in 0..<n {
            let e = mask[j] != 0 ? T.exp(x[j] - mx) : 0
            x[j] = e
            sum += e
        }
        let inv = 1 / sum
        for j in 0..<n { x[j] *= inv }
    }

    /// Σ a_j·b_j (in Float with eight partial sums, so it vectorises).
    @inline(__always)
    static func dot(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count n: Int) -> T {
        if T.self == Float.self {
            let af = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), bf = UnsafeRawPointer(b).assumingMemoryBound(to: Float.self)
            var s8 = SIMD8<Float>()
            var j = 0
            while j + 8 <= n {
                s8 += SIMD8<Float>(UnsafeBufferPointer(start: af + j, count: 8)) * SIMD8<Float>(UnsafeBufferPointer(start: bf + j, count: 8))
                j += 8
            }
            var s = s8.sum()
            while j < n { s += af[j] * bf[j]; j += 1 }
            return unsafeBitCast(s, to: T.self)
        }
        var s: T = 0
        for j in 0..<n { s += a[j] * b[j] }
        return s
    }

    @_specialize(exported: true, where T == Float)
    public func backward(dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>, dv: UnsafeMutablePointer<T>,
                         scratch dP: UnsafeMutablePointer<T>, dctx: UnsafePointer<T>, probs: UnsafePointer<T>,
                         dropped: UnsafePointer<T>?, dropMask: UnsafePointer<T>?,
                         q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>, mask: UnsafePointer<T>) {
        let B = batch, L = length, C = channels, NH = heads, HS = headSize, R = qkvStride
        for b in 0..<B {
            let n = keyCount(mask, b)
            for h in 0..<NH {
                let base = (b * NH + h) * L * L
                let P = probs + base
                let off = b * L * C + h * HS, o = b * L * R + h * HS
                let Pd = dropMask != nil ? dropped! + base : P
                // dP [L, n] = dctx_bh [L, HS] · V_bh[0..<n]ᵀ
                T.gemm(transA: false, transB: true, m: L, n: n, k: HS, alpha: 1, a: dctx + off, lda: C, b: v + o, ldb: R,
                       beta: 0, c: dP, ldc: L)
                // dV_bh[0..<n] = P̃ᵀ [n, L] · dctx_bh [L, HS]
                T.gemm(transA: true, transB: false, m: n, n: HS, k: L, alpha: 1, a: Pd, lda: L, b: dctx + off, ldb: C,
                       beta: 0, c: dv + o, ldc: R)
                for i in 0..<L {
                    let pr = P + i * L, dr = dP + i * L
                    if let dropMask {
                        let mr = dropMask + base + i * L
                        for j in 0..<n { dr[j] *= mr[j] }
                    }
                    let dot = Self.dot(pr, dr, count: n)
                    for j in 0..<n { dr[j] = pr[j] * (dr[j] - dot) }
                }
                // dQ_bh = scale · dS [L, n] · K_bh[0..<n];  dK_bh[0..<n] = scale · dSᵀ [n, L] · Q_bh
                T.gemm(transA: false, transB: false, m: L, n: HS, k: n, alpha: scale, a: dP, lda: L, b: k + o, ldb: R,
                       beta: 0, c: dq + o, ldc: R)
                T.gemm(transA: true, transB: false, m: n, n: HS, k: L, alpha: scale, a: dP, lda: L, b: q + o, ldb: R,
                       beta: 0, c: dk + o, ldc: R)
                for j in n..<L {
                    (dk + o + j * R).update(repeating: 0, count: HS)
                    (dv + o + j * R).update(repeating: 0, count: HS)
                }
            }
        }
    }
}
