import ComplexNumbers
import Foundation
import Random

/// Zero-mean Gaussian random fields with covariance `σ² (−Δ + τ² I)^(−α)` on `[0, 1]^d`, drawn
/// through their spectral (Karhunen–Loève) expansion as in the FNO data generators
/// (Li et al. 2021, `data_generation/`), so that our data sets follow the FNO benchmarks' laws.
/// Larger `α` and `τ` give smoother fields; `τ` sets the correlation length (≈ 1/τ).
public enum GaussianRandomField {
    /// 1-D periodic field on `n` points `x_j = j/n` (FNO `GRF1(…, 'periodic')`, used for the
    /// Burgers initial conditions): `u(x) = Σ_{k=1}^{n/2−1} e_k (ξ_k cos 2πkx + η_k sin 2πkx)` with
    /// `e_k = √2 σ ((2πk)² + τ²)^(−γ/2)` and `ξ_k, η_k ~ N(0, 1)`; the mean is zero and the Nyquist
    /// mode is left out so the field is exactly band-limited on the grid. FNO defaults:
    /// `γ = 2.5, τ = 7, σ = 49`.
    public struct Periodic1D: Sendable, Equatable, Codable {
        public var n: Int
        public var gamma: Double
        public var tau: Double
        public var sigma: Double

        public init(n: Int, gamma: Double = 2.5, tau: Double = 7, sigma: Double = 49) {
            self.n = n
            self.gamma = gamma
            self.tau = tau
            self.sigma = sigma
        }

        /// Draws `2 · (n/2 − 1)` normals (ξ₁, η₁, ξ₂, …) from `rng`.
        /// - Throws: `FFTError` if `n < 1`.
        public func sample(using rng: inout SplitMix64) throws -> [Double] {
            let fft = try RealFFT<Double>(shape: [n])
            var spectrum = [Complex<Double>](repeating: .zero, count: fft.spectrumCount)
            for k in stride(from: 1, to: n / 2, by: 1) {
                let e = 2.squareRoot() * sigma * pow(pow(2 * .pi * Double(k), 2) + tau * tau, -gamma / 2)
                let xi = rng.normal(), eta = rng.normal()
                // irfft: u_j = (1/n)(X₀ + 2 Σ Re(X_k e^{2πikj/n})), and Re((ξ − iη) e^{iθ}) = ξ cos θ + η sin θ.
                spectrum[k] = Complex(e * xi, -e * eta) * (Double(n) / 2)
            }
            return fft.inverse(spectrum)
        }
    }

    /// 2-D periodic field on the `n × n` grid `(i/n, j/n)` (FNO `GaussianRF(2, n, α, τ)` of
    /// `random_fields.py`, used for the Navier–Stokes initial vorticity): the real part of
    /// `ifft2(c)` with `c_k = n² √2 σ (4π²|k|² + τ²)^(−α/2) (ξ_k + iη_k)` over all `n²` integer
    /// frequencies `k` (numpy order), `c₀ = 0`, and `σ = τ^(α − 1)` by default
    /// (`τ^{(2α − d)/2}` with `d = 2`). FNO defaults: `α = 2.5, τ = 7`.
    public struct Periodic2D: Sendable, Equatable, Codable {
        public var n: Int
        public var alpha: Double
        public var tau: Double
        public var sigma: Double

        public init(n: Int, alpha: Double = 2.5, tau: Double = 7, sigma: Double? = nil) {
            self.n = n
            self.alpha = alpha
            self.tau = tau
            self.sigma = sigma ?? pow(tau, alpha - 1)
        }

        /// Row-major `n × n` values; draws `2n²` normals (real then imaginary part of each `c_k`
        /// in row-major frequency order).
        /// - Throws: `FFTError` if `n < 1`.
        public func sample(using rng: inout SplitMix64) throws -> [Double] {
            let fft = try RealFFT<Double>(shape: [n, n])
            var c = [Complex<Double>](repeating: .zero, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    let kx = Double(i <= n / 2 ? i : i - n), ky = Double(j <= n / 2 ? j : j - n)
                    let sqrtEig = Double(n * n) * 2.squareRoot() * sigma * pow(4 * .pi * .pi * (kx * kx + ky * ky) + tau * tau, -alpha / 2)
                    let z = Complex(rng.normal(), rng.normal())
                    c[i * n + j] = (i == 0 && j == 0) ? .zero : z * sqrtEig
                }
            }
            // Re(ifft2(c)) = irfft2(h) with the Hermitian half spectrum h_k = (c_k + conj(c_{−k}))/2.
            let h = n / 2 + 1
            var half = [Complex<Double>](repeating: .zero, count: n * h)
            for i in 0..<n {
                for j in 0..<h {
                    let mi = (n - i) % n, mj = (n - j) % n
                    half[i * h + j] = (c[i * n + j] + c[mi * n + mj].conjugate) * 0.5
                }
            }
            return fft.inverse(half)
        }
    }

    /// 2-D field with a zero-Neumann Laplacian on `[0, 1]²` (FNO `GRF.m`, used for the Darcy
    /// coefficients), at the cell centres `((i+½)/n, (j+½)/n)`:
    /// `u = idct2(L)`, `L_k = n τ^(α−1) (π²|k|² + τ²)^(−α/2) ξ_k` for `k ∈ {0…n−1}²`, `L₀ = 0`,
    /// with MATLAB's orthonormal `idct2`. FNO defaults: `α = 2, τ = 3`.
    public struct Neumann2D: Sendable, Equatable, Codable {
        public var n: Int
        public var alpha: Double
        public var tau: Double

        public init(n: Int, alpha: Double = 2, tau: Double = 3) {
            self.n = n
            self.alpha = alpha
            self.tau = tau
        }

        /// Row-major `n × n` values; draws `n²` normals in row-major frequency order.
        /// - Throws: `FFTError` if `n < 1`.
        public func sample(using rng: inout SplitMix64) throws -> [Double] {
            let dct = try CosineTransform<Double>(shape: [n, n])
            let nd = Double(n)
            // Orthonormal idct per axis: x_m = Σ_k w_k X_k cos(πk(m+½)/n), w₀ = 1/√n, w_k = √(2/n);
            // FFTW's REDFT01 computes X₀ + 2 Σ_{k≥1} X_k cos(…), so scale X₀ by 1/√n and X_k by 1/√(2n).
            func w(_ k: Int) -> Double { k == 0 ? 1 / nd.squareRoot() : 1 / (2 * nd).squareRoot() }
            var coefficients = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    let xi = rng.normal()
                    guard i != 0 || j != 0 else { continue }
                    let c = pow(tau, alpha - 1) * pow(.pi * .pi * Double(i * i + j * j) + tau * tau, -alpha / 2)
                    coefficients[i * n + j] = nd * c * xi * w(i) * w(j)
                }
            }
            return dct.typeIII(coefficients)
        }
    }
}
