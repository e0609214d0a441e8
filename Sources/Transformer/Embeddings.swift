import Train

/// BERT's input embeddings before their LayerNorm: word + absolute position + token type.
///
/// Shapes: ids, typeIds [B, T] (Int32); wte [V, C], wpe [P, C], wtt [TV, C]; y [B, T, C].
/// Forward: y[b, t] = wte[ids[b, t]] + wpe[t] + wtt[typeIds[b, t]] (positions 0 … T−1, as
/// `BertEmbeddings` with its default `position_ids`). Backward scatters dy into the three tables
/// (accumulating, `+=`): rows that no token used get no gradient. Ids are checked by the caller.
public enum Embeddings {
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>,
                                               wte: UnsafePointer<T>, wpe: UnsafePointer<T>, wtt: UnsafePointer<T>,
                                               batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B {
            for t in 0..<L {
                let r = b * L + t
                let w = wte + Int(ids[r]) * C, p = wpe + t * C, k = wtt + Int(typeIds[r]) * C
                let yr = y + r * C
                for c in 0..<C { yr[c] = w[c] + p[c] + k[c] }
            }
        }
    }

    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(dWte: UnsafeMutablePointer<T>, dWpe: UnsafeMutablePointer<T>, dWtt: UnsafeMutablePointer<T>,
                                                dy: UnsafePointer<T>, ids: UnsafePointer<Int32>, typeIds: UnsafePointer<Int32>,
                                                batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B {
            for t in 0..<L {
                let r = b * L + t
                let w = dWte + Int(ids[r]) * C, p = dWpe + t * C, k = dWtt + Int(typeIds[r]) * C
                let g = dy + r * C
                for c in 0..<C { w[c] += g[c]; p[c] += g[c]; k[c] += g[c] }
            }
        }
    }
}

/// Element-wise hyperbolic tangent (the pooler's activation): y = tanh x, dx = dy · (1 − y²).
public enum Tanh {
    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { y[i] = T.tanh(x[i]) }
    }

    /// Uses the forward's output y.
    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, y: UnsafePointer<T>, count n: Int) {
        for i in 0..<n { dx[i] = dy[i] * (1 - y[i] * y[i]) }
    }
}

/// Pooling of the encoder's output h [B, T, C] into one vector per sequence, [B, C].
public enum Pool {
    /// The first token's vector ([CLS]): y[b] = h[b, 0].
    @_specialize(exported: true, where T == Float)
    public static func firstForward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ h: UnsafePointer<T>, batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B { (y + b * C).update(from: h + b * L * C, count: C) }
    }

    /// dh[b, 0] += dy[b] (other positions untouched).
    @_specialize(exported: true, where T == Float)
    public static func firstBackward<T: TrainScalar>(_ dh: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B {
            let d = dh + b * L * C, g = dy + b * C
            for c in 0..<C { d[c] += g[c] }
        }
    }

    /// The mean over the unmasked tokens (sentence-transformers' mean pooling):
    /// y[b] = Σ_t m[b,t]·h[b,t] / max(Σ_t m[b,t], 1e-9), m ∈ {0, 1}.
    @_specialize(exported: true, where T == Float)
    public static func meanForward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, _ h: UnsafePointer<T>, mask: UnsafePointer<T>,
                                                   batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B {
            let yb = y + b * C
            yb.update(repeating: 0, count: C)
            var n: T = 0
            for t in 0..<L where mask[b * L + t] != 0 {
                let hr = h + (b * L + t) * C
                for c in 0..<C { yb[c] += hr[c] }
                n += 1
            }
            let inv = 1 / max(n, T(1e-9))
            for c in 0..<C { yb[c] *= inv }
        }
    }

    /// dh[b, t] += m[b,t]·dy[b] / max(Σ m, 1e-9).
    @_specialize(exported: true, where T == Float)
    public static func meanBackward<T: TrainScalar>(_ dh: UnsafeMutablePointer<T>, dy: UnsafePointer<T>, mask: UnsafePointer<T>,
                                                    batch B: Int, length L: Int, channels C: Int) {
        for b in 0..<B {
            var n: T = 0
            for t in 0..<L where mask[b * L + t] != 0 { n += 1 }
            let inv = 1 / max(n, T(1e-9))
            let g = dy + b * C
            for t in 0..<L where mask[b * L + t] != 0 {
                let d = dh + (b * L + t) * C
                for c in 0..<C { d[c] += g[c] * inv }
            }
        }
    }
}
