import Foundation

/// Tic steps that keep tic labels apart on small figures. gnuplot picks its automatic step from
/// the axis range alone, so on a narrow axis (a print-size figure) its labels run into each
/// other; given the plot's estimated length, these return a coarser step when they would, and
/// nil to keep gnuplot's.
enum TicSpacing {
    /// gnuplot's automatic step for a linear range (`make_tics` in axis.c, guide 20): about
    /// 20 / (leading digits) positions per decade, quantized to 0.05, 0.1, 0.2, 0.5, 1 or 2
    /// times a power of ten.
    static func gnuplotStep(_ span: Double) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let l10 = log10(span), fl = floor(l10)
        let xnorm = pow(10, l10 - fl)
        let posns = 20 / xnorm
        let tics: Double
        if posns > 40 { tics = 0.05 } else if posns > 20 { tics = 0.1 } else if posns > 10 { tics = 0.2 } else if posns > 4 { tics = 0.5 } else if posns > 2 { tics = 1 } else if posns > 0.5 { tics = 2 } else { tics = ceil(xnorm) }
        return tics * pow(10, fl)
    }

    /// The smallest 1, 2 or 5 × 10^k that is at least `x`.
    static func niceCeil(_ x: Double) -> Double {
        let p = pow(10, floor(log10(x)))
        for m in [1.0, 2, 5, 10] where m * p >= x * (1 - 1e-12) { return m * p }
        return 10 * p
    }

    /// The room a tic label needs along the axis: its text across (x), one line high (y).
    static func labelRoom(_ labels: [String], horizontal: Bool, _ m: TextMetrics) -> Double {
        horizontal ? Double(labels.map(\.count).max() ?? 1) * m.textWidth + 1.2 * m.em : 1.8 * m.em
    }

    /// The tic labels of a linear axis at `step` (as `%g` prints them; gnuplot's `% h` is alike).
    static func labels(lo: Double, hi: Double, step: Double) -> [String] {
        let first = (lo / step).rounded(.up)
        let count = Int(((hi / step).rounded(.down) - first)) + 1
        return (0..<max(0, min(count, 1000))).map { String(format: "%g", (first + Double($0)) * step) }
    }

    /// A coarser step for a linear axis `lo…hi` drawn `length` pixels long, or nil.
    static func linearStep(lo: Double, hi: Double, length: Double, horizontal: Bool, _ m: TextMetrics) -> Double? {
        let span = hi - lo
        guard span > 0, span.isFinite, length > 0 else { return nil }
        func fits(_ step: Double) -> Bool {
            let l = labels(lo: lo, hi: hi, step: step)
            return Double(l.count) * labelRoom(l, horizontal: horizontal, m) <= length
        }
        let auto = gnuplotStep(span)
        guard !fits(auto) else { return nil }
        // Coarser steps while they crowd, keeping at least two labels.
        var step = auto
        while !fits(step) {
            let next = niceCeil(step * 1.0001)
            guard labels(lo: lo, hi: hi, step: next).count >= 2 else { break }
            step = next
        }
        return step == auto ? nil : step
    }

    /// For a log axis of two decades or more (labelled `10^{k}`): a tic every k > 1 decades
    /// when one per decade would crowd, or nil.
    static func logDecades(lo: Double, hi: Double, length: Double, horizontal: Bool, _ m: TextMetrics) -> Int? {
        guard lo > 0, hi > lo, length > 0 else { return nil }
        let decades = log10(hi) - log10(lo)
        guard decades >= 2 else { return nil }
        // "10" and a two-character exponent, or one line with a superscript.
        let room = horizontal ? 3.4 * m.em : 2.2 * m.em
        let auto = max(1, Int(gnuplotStep(decades).rounded(.up)))
        // Labels at the multiples of k decades inside the range (gnuplot aligns them so).
        func count(_ k: Int) -> Int {
            Int((log10(hi) / Double(k)).rounded(.down) - (log10(lo) / Double(k)).rounded(.up)) + 1
        }
        var k = auto
        while Double(count(k)) * room > length, count(k + 1) >= 2 { k += 1 }
        return k > auto ? k : nil
    }
}
