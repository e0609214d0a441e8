import Analyzer
import Foundation

/// The Marchenko–Pastur law fitted to a layer's bulk, for the overlay on the linear ESD.
///
/// For `W` of N×M (`Q = N/M ≥ 1`) with i.i.d. entries of variance σ², the eigenvalues of
/// `WᵀW/N` fill `[λ−, λ+]`, `λ± = σ²(1 ± 1/√Q)²`, with density
///
///     ρ(λ) = Q / (2π σ² λ) · √((λ+ − λ)(λ − λ−))
///
/// (Marchenko & Pastur 1967; Martin & Mahoney, JMLR 22, 2021, eq. 7). The overlay is drawn in
/// the ESD's own units from the bulk edges: writing `s = ((√λ+ − √λ−)/2)²`, which equals σ²/Q in
/// any units, the density is `√((λ+ − λ)(λ − λ−)) / (2π s λ)`; it integrates to 1 over the
/// bulk whatever normalisation (1/N or none) the edges were computed with. σ² and Q are shown
/// as reported.
public struct MarchenkoPastur: Sendable, Equatable {
    public var sigma2: Double
    public var q: Double
    /// The bulk edges λ− < λ+, in the ESD's units.
    public var lambdaMinus: Double
    public var lambdaPlus: Double

    /// nil unless every value is finite, σ² > 0, Q > 0 and 0 ≤ λ− < λ+.
    public init?(sigma2: Double, q: Double, lambdaMinus: Double, lambdaPlus: Double) {
        guard [sigma2, q, lambdaMinus, lambdaPlus].allSatisfy(\.isFinite), sigma2 > 0, q > 0,
              lambdaMinus >= 0, lambdaPlus > lambdaMinus else { return nil }
        self.sigma2 = sigma2
        self.q = q
        self.lambdaMinus = lambdaMinus
        self.lambdaPlus = lambdaPlus
    }

    /// The column names read from a layer row.
    public static let columns = (sigma2: "sigma_mp", q: "Q", lambdaMinus: "bulk_min", lambdaPlus: "bulk_max")

    /// Reads `sigma_mp`, `Q`, `bulk_min`, `bulk_max` from an analysis row; nil when any is
    /// missing or null (analyses without a Marchenko–Pastur fit) or the values are invalid.
    public init?(row: Row) {
        let c = Self.columns
        guard let s = row[c.sigma2]?.doubleValue, let q = row[c.q]?.doubleValue,
              let lo = row[c.lambdaMinus]?.doubleValue, let hi = row[c.lambdaPlus]?.doubleValue else { return nil }
        self.init(sigma2: s, q: q, lambdaMinus: lo, lambdaPlus: hi)
    }

    /// `((√λ+ − √λ−)/2)²`, i.e. σ²/Q in the ESD's units.
    public var scale: Double {
        let d = (lambdaPlus.squareRoot() - lambdaMinus.squareRoot()) / 2
        return d * d
    }

    /// The density at λ (0 outside the bulk).
    public func density(_ lambda: Double) -> Double {
        guard lambda > lambdaMinus, lambda < lambdaPlus else { return 0 }
        return ((lambdaPlus - lambda) * (lambda - lambdaMinus)).squareRoot() / (2 * Double.pi * scale * lambda)
    }

    /// The density multiplied by `weight` as a gnuplot expression in x.
    func gnuplotExpression(weight: Double) -> String {
        let lp = formatNumber(lambdaPlus), lm = formatNumber(lambdaMinus)
        return "\(formatNumber(weight / (2 * Double.pi * scale)))*sqrt((\(lp)-x)*(x-\(lm)))/x"
    }
}
