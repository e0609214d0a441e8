/// Layer normalisation over the last dimension, PyTorch's `nn.LayerNorm(C)`.
///
/// Per row r of x [B, C]: μ = mean(x_r), σ² = mean((x_r − μ)²) (biased), rstd = 1/√(σ² + ε),
/// n = (x − μ)·rstd, y = n·γ + β. Saves μ and rstd [B] for backward.
/// Backward (llm.c): dn = dy·γ; dβ += Σ dy; dγ += Σ n·dy;
/// dx = rstd · (dn − mean(dn) − n · mean(dn · n)).
public enum LayerNorm {
    public static let defaultEpsilon = 1e-5

    @_specialize(exported: true, where T == Float)
    public static func forward<T: TrainScalar>(_ y: UnsafeMutablePointer<T>, mean: UnsafeMutablePointer<T>,
                                               rstd: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>,
                                               weight g: UnsafePointer<T>, bias b: UnsafePointer<T>,
                                               batch B: Int, channels C: Int, epsilon: T = T(defaultEpsilon)) {
        for r in 0..<B {
            let xr = x + r * C, yr = y + r * C
            var m: T = 0
            for c in 0..<C { m += xr[c] }
            m /= T(C)
            var v: T = 0
            for c in 0..<C { let d = xr[c] - m; v += d * d }
            v /= T(C)
            let s = 1 / T.sqrt(v + epsilon)
            for c in 0..<C { yr[c] = (xr[c] - m) * s * g[c] + b[c] }
            mean[r] = m
            rstd[r] = s
        }
    }

    @_specialize(exported: true, where T == Float)
    public static func backward<T: TrainScalar>(_ dx: UnsafeMutablePointer<T>, dWeight dg: UnsafeMutablePointer<T>,
                                                dBias db: UnsafeMutablePointer<T>, dy: UnsafePointer<T>,
                                                x: UnsafePointer<T>, weight g: UnsafePointer<T>,
                                                mean: UnsafePointer<T>, rstd: UnsafePointer<T>,
                                                batch B: Int, channels C: Int) {
        for r in 0..<B {
            let xr = x + r * C, dyr = dy + r * C, dxr = dx + r * C
            let m = mean[r], s = rstd[r]
            var meanDn: T = 0, meanDnN: T = 0
            for c in 0..<C {
                let n = (xr[c] - m) * s
                let dn = dyr[c] * g[c]
                meanDn += dn
                meanDnN += dn * n
                db[c] += dyr[c]
                dg[c] += n * dyr[c]
            }
            meanDn /= T(C)
            meanDnN /= T(C)
            for c in 0..<C {
                let n = (xr[c] - m) * s
                dxr[c] = s * (dyr[c] * g[c] - meanDn - n * meanDnN)
            }
        }
    }
}
