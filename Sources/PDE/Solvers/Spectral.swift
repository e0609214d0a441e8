/// Wavenumbers and the 2/3 dealiasing rule for pseudo-spectral solvers on `[0, 1)^d`.
enum Spectral {
    /// Signed integer frequency of index `i` on an axis of length `n` (numpy's `fftfreq · n`).
    @inline(__always) static func frequency(_ i: Int, _ n: Int) -> Int { i <= n / 2 ? i : i - n }

    /// True if frequency `k` survives Orszag's 2/3 rule on `n` points: `|k| < n/3`, so products of
    /// two retained fields alias only into discarded frequencies. The Nyquist mode `n/2` is always
    /// dropped.
    @inline(__always) static func keeps(_ k: Int, _ n: Int) -> Bool { 3 * abs(k) < n }

    /// The time step that divides `interval` into equal steps no longer than `limit`.
    static func step(dividing interval: Double, atMost limit: Double) -> (h: Double, count: Int) {
        let count = max(1, Int((interval / limit).rounded(.up)))
        return (interval / Double(count), count)
    }
}
