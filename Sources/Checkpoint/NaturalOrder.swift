/// "Natural" string order: runs of ASCII digits compare by numeric value, everything else by
/// Unicode scalar, so `layer.2` < `layer.10` and `model-00002-of-00010` < `model-00010-of-00010`.
///
/// Digit runs of equal value but different leading zeros (`7` vs `007`) are ordered by the
/// plain scalar order of the whole strings, so the order is total and deterministic.
enum NaturalOrder {
    /// Whether `a` sorts before `b`.
    static func less(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        var i = 0, j = 0
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                let (ri, ei) = digitRun(x, from: i)
                let (rj, ej) = digitRun(y, from: j)
                if ri.count != rj.count { return ri.count < rj.count }
                if ri != rj { return ri.lexicographicallyPrecedes(rj) }
                i = ei
                j = ej
            } else {
                if x[i] != y[j] { return x[i].value < y[j].value }
                i += 1
                j += 1
            }
        }
        if (x.count - i) != (y.count - j) { return (x.count - i) < (y.count - j) }
        return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// `names` sorted naturally.
    static func sorted(_ names: [String]) -> [String] { names.sorted(by: less) }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }

    /// The digits of the run starting at `start` without leading zeros, and the run's end index.
    private static func digitRun(_ s: [Unicode.Scalar], from start: Int) -> (ArraySlice<UInt32>, Int) {
        var end = start
        while end < s.count && isDigit(s[end]) { end += 1 }
        var first = start
        while first < end - 1 && s[first].value == 48 { first += 1 }
        return (ArraySlice(s[first..<end].map(\.value)), end)
    }
}
