import ComplexNumbers
import Foundation

/// Fourth-order exponential time differencing Runge–Kutta (ETDRK4; Cox & Matthews 2002, with the
/// contour-integral coefficients of Kassam & Trefethen 2005) for semilinear systems
/// `dû/dt = L û + N(û, t)` whose linear part is diagonal in Fourier space (`L_k` real, ≤ 0 here:
/// viscosity). The stiff linear part is integrated exactly, so the step is limited only by the
/// explicit nonlinear term (an advective CFL condition), not by `ν k²`.
///
/// One step of size `h` (`E = e^{hL}`, `E₂ = e^{hL/2}`, `N_u = N(û, t)`):
/// ```
/// a = E₂ û + Q N_u,   b = E₂ û + Q N(a, t + h/2),   c = E₂ a + Q (2 N(b, t + h/2) − N_u)
/// û ← E û + f₁ N_u + 2 f₂ (N(a, t + h/2) + N(b, t + h/2)) + f₃ N(c, t + h)
/// ```
/// with, for `z = hL`, `Q = h (e^{z/2} − 1)/z`, `f₁ = h (−4 − z + e^z(4 − 3z + z²))/z³`,
/// `f₂ = h (2 + z + e^z(z − 2))/z³`, `f₃ = h (−4 − 3z − z² + e^z(4 − z))/z³`. These suffer
/// cancellation for small `|z|`, so each is the mean of its values on 32 points of the circle
/// of radius 1 around `z` (exact for `z = 0`: `Q = h/2`, `f₁ = f₂ = f₃ = h/6`). Global error
/// `O(h⁴)`.
struct ETDRK4 {
    let h: Double
    let e: [Double], e2: [Double], q: [Double], f1: [Double], f2: [Double], f3: [Double]

    /// Coefficients for step `h` and the diagonal `linear` (one value per spectral entry).
    init(linear: [Double], h: Double) {
        self.h = h
        let m = 32
        let roots = (1...m).map { Complex<Double>.unit(angle: Double.pi * (Double($0) - 0.5) / Double(m)) }
        var e = [Double](), e2 = [Double](), q = [Double](), f1 = [Double](), f2 = [Double](), f3 = [Double]()
        for l in linear {
            let z = h * l
            e.append(exp(z))
            e2.append(exp(z / 2))
            var sq = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            for r in roots {
                let w = Complex(z) + r
                let ew = complexExp(w), ew2 = complexExp(w * 0.5)
                let w2 = w * w, w3 = w2 * w
                sq += complexDivide(ew2 - Complex(1), w).re
                s1 += complexDivide(Complex(-4) - w + ew * (Complex(4) - 3 * w + w2), w3).re
                s2 += complexDivide(Complex(2) + w + ew * (w - Complex(2)), w3).re
                s3 += complexDivide(Complex(-4) - 3 * w - w2 + ew * (Complex(4) - w), w3).re
            }
            let md = Double(m)
            q.append(h * sq / md)
            f1.append(h * s1 / md)
            f2.append(h * s2 / md)
            f3.append(h * s3 / md)
        }
        (self.e, self.e2, self.q, self.f1, self.f2, self.f3) = (e, e2, q, f1, f2, f3)
    }

    /// Work arrays for `step`, allocated once per solve.
    struct Workspace {
        var nu, a, na, b, nb, c, nc: [Complex<Double>]
        init(count: Int) {
            nu = Array(repeating: .zero, count: count)
            (a, na, b, nb, c, nc) = (nu, nu, nu, nu, nu, nu)
        }
    }

    /// Advances `u` from `t` to `t + h`. `nonlinear(v, t, out)` must write `N(v, t)` into `out`.
    func step(_ u: inout [Complex<Double>], t: Double, work w: inout Workspace,
              nonlinear: (_ v: [Complex<Double>], _ t: Double, _ out: inout [Complex<Double>]) -> Void) {
        let n = u.count
        nonlinear(u, t, &w.nu)
        for k in 0..<n { w.a[k] = u[k] * e2[k] + w.nu[k] * q[k] }
        nonlinear(w.a, t + h / 2, &w.na)
        for k in 0..<n { w.b[k] = u[k] * e2[k] + w.na[k] * q[k] }
        nonlinear(w.b, t + h / 2, &w.nb)
        for k in 0..<n { w.c[k] = w.a[k] * e2[k] + (w.nb[k] * 2 - w.nu[k]) * q[k] }
        nonlinear(w.c, t + h, &w.nc)
        for k in 0..<n {
            u[k] = u[k] * e[k] + w.nu[k] * f1[k] + (w.na[k] + w.nb[k]) * (2 * f2[k]) + w.nc[k] * f3[k]
        }
    }
}

@inline(__always) func complexExp(_ z: Complex<Double>) -> Complex<Double> {
    Complex.unit(angle: z.im) * exp(z.re)
}

@inline(__always) func complexDivide(_ a: Complex<Double>, _ b: Complex<Double>) -> Complex<Double> {
    let d = b.normSquared
    return Complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
}
