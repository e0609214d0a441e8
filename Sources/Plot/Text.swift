import Foundation

/// Text in figures uses gnuplot's enhanced mode (so labels can hold markup such as `λ_{max}`);
/// names from the data (layer names, metric names) must go through `plain` first.
public enum Markup {
    /// Escapes enhanced-mode control characters (`\ _ ^ { } @ & ~`) so the text prints as is.
    public static func plain(_ text: String) -> String {
        var out = ""
        for ch in text {
            if "\\_^{}@&~".contains(ch) { out.append("\\") }
            out.append(ch == "\n" || ch == "\r" ? " " : ch)
        }
        return out
    }
}

/// A gnuplot single-quoted string: `'` doubled, newlines removed (no other escapes apply).
func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "'", with: "''") + "'"
}

/// A number as gnuplot reads it: integers without a fraction, others in Swift's shortest
/// round-trip form (`0.1`, `1e-05`). Deterministic, so scripts are snapshot-testable.
///
/// - Precondition: `x` is finite (figures never pass NaN or infinity).
func formatNumber(_ x: Double) -> String {
    precondition(x.isFinite, "non-finite number in a figure")
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}

/// A short number for keys and titles: 3 significant digits (`3.41`, `0.0523`, `1.2e+04`).
public func shortNumber(_ x: Double, digits: Int = 3) -> String {
    guard x.isFinite else { return "–" }
    if x != 0 && (abs(x) >= 1e5 || abs(x) < 1e-3) { return String(format: "%.\(max(0, digits - 1))e", x) }
    return String(format: "%.\(digits)g", x)
}
