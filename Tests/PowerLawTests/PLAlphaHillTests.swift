import Testing
@testable import PowerLaw

/// TempBalance's α: the zero filter (threshold, keep-all fallback) and the Hill fit after it.
@Suite struct PLAlphaHillTests {
    let oneToTen = (1...10).map(Double.init)

    @Test func referenceThreshold() {
        #expect(ZeroFilter.referenceThreshold == 1e-5)
        // λ ≤ 1e-5 is a zero; the order of the kept values is unchanged.
        #expect(ZeroFilter.apply([0, 1e-6, 1e-5, 2e-5, 3]) == [2e-5, 3])
        #expect(ZeroFilter.apply([0, 1, 2], above: 1) == [2])
    }

    /// The reference's "if none are left, keep all".
    @Test func keepsAllWhenNoneIsAbove() {
        let tiny = [1e-9, 2e-9, 4e-9]
        #expect(ZeroFilter.apply(tiny) == tiny)
        let fit = PLAlphaHill(eigenvalues: tiny, xminPos: 2, filterZeros: true)
        #expect(fit.fitValues == tiny)
        #expect(fit.alpha == Hill.fit(tiny, xminPos: 2).fit?.alpha)
        #expect(ZeroFilter.apply([]) == [])
    }

    /// Zeros below the threshold leave α at the spec's check value of 1…10; without the filter
    /// they move xmin (and a zero xmin is a typed failure).
    @Test func filterRemovesTheZerosOfARankDeficientLayer() throws {
        let padded = [0, 0, 1e-7] + oneToTen
        let filtered = PLAlphaHill(eigenvalues: padded, xminPos: 2, filterZeros: true)
        #expect(filtered.fitValues == oneToTen)
        #expect(rel(try #require(filtered.alpha), 4.681550358521012) < 1e-12)
        #expect(filtered.result.fit == Hill.fit(oneToTen, xminPos: 2).fit)
        let unfiltered = PLAlphaHill(eigenvalues: padded, xminPos: 2, filterZeros: false)
        #expect(unfiltered.fitValues == padded)
        #expect(unfiltered.result.fit == Hill.fit(padded, xminPos: 2).fit)
        #expect(PLAlphaHill(eigenvalues: [0, 0, 0, 1], xminPos: 1.5, filterZeros: false).alpha == nil)
        let third = PLAlphaHill(eigenvalues: oneToTen, xminPos: 1.5, filterZeros: true)
        #expect(rel(try #require(third.alpha), 6.394319605925859) < 1e-12)
    }
}
