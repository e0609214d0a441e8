/// The documented range of a numeric setting: a closed interval, optionally open at the lower
/// end (`(0, 10]`), checked with `check(_:_:)` which also rejects NaN and ±∞.
///
/// Every numeric setting a command line can reach has one of these beside its default, so the
/// check, the error message, `--help` and the documentation quote the same numbers.
public struct SettingRange<Value: Comparable & Sendable>: Sendable, CustomStringConvertible {
    public let lower: Value
    public let upper: Value
    /// The lower bound itself is not allowed (`(0, upper]`: "positive").
    public let lowerOpen: Bool
    /// The upper bound itself is not allowed (`[0, 1)`: a probability below 1).
    public let upperOpen: Bool
    private let text: @Sendable (Value) -> String

    /// - Precondition: `lower <= upper`.
    init(_ lower: Value, _ upper: Value, lowerOpen: Bool, upperOpen: Bool, text: @escaping @Sendable (Value) -> String) {
        precondition(lower <= upper, "an empty setting range")
        self.lower = lower
        self.upper = upper
        self.lowerOpen = lowerOpen
        self.upperOpen = upperOpen
        self.text = text
    }

    /// Whether `value` is inside (never true for NaN).
    public func contains(_ value: Value) -> Bool {
        (lowerOpen ? value > lower : value >= lower) && (upperOpen ? value < upper : value <= upper)
    }

    /// `[1, 1e+06]`, `(0, 10]`, `[0, 1)`.
    public var description: String { "\(lowerOpen ? "(" : "[")\(text(lower)), \(text(upper))\(upperOpen ? ")" : "]")" }

    /// Whether the values are floating-point numbers (then NaN and ±∞ are out of range too).
    private var isFloatingPoint: Bool { Value.self == Double.self || Value.self == Float.self }

    /// The phrase completing "must be …" (`an integer in [1, 1024]`).
    public var requirement: String { "\(isFloatingPoint ? "a finite number" : "an integer") in \(description)" }

    /// Throws `InvalidSetting` naming `field` unless `value` is inside.
    public func check(_ value: Value, _ field: String) throws {
        guard contains(value) else { throw InvalidSetting(field: field, value: text(value), requirement: requirement) }
    }

    /// Checks an optional value (nil: nothing to check).
    public func check(_ value: Value?, _ field: String) throws {
        if let value { try check(value, field) }
    }

    /// Checks every element of a list (`field` names the list).
    public func check(each values: [Value], _ field: String) throws {
        for v in values where !contains(v) {
            throw InvalidSetting(field: field, value: values.map(text).joined(separator: ","),
                                 requirement: "a list of \(isFloatingPoint ? "finite numbers" : "integers") in \(description)")
        }
    }
}

extension SettingRange where Value == Int {
    /// `[lower, upper]`.
    public init(_ lower: Int, _ upper: Int) { self.init(lower, upper, lowerOpen: false, upperOpen: false, text: { String($0) }) }
}

extension SettingRange where Value == UInt64 {
    /// `[lower, upper]`.
    public init(_ lower: UInt64, _ upper: UInt64) { self.init(lower, upper, lowerOpen: false, upperOpen: false, text: { String($0) }) }
}

extension SettingRange where Value == Double {
    /// `[lower, upper]`, open at either end when asked (`(0, 1]`, `[0, 1)`).
    public init(_ lower: Double, _ upper: Double, lowerOpen: Bool = false, upperOpen: Bool = false) {
        self.init(lower, upper, lowerOpen: lowerOpen, upperOpen: upperOpen, text: { formatSetting($0) })
    }

    /// `(0, upper]`: a positive number.
    public static func positive(upTo upper: Double) -> SettingRange { SettingRange(0, upper, lowerOpen: true) }
}

extension SettingRange where Value == Float {
    /// `[lower, upper]`, open at either end when asked (`(0, 1]`, `[0, 1)`).
    public init(_ lower: Float, _ upper: Float, lowerOpen: Bool = false, upperOpen: Bool = false) {
        self.init(lower, upper, lowerOpen: lowerOpen, upperOpen: upperOpen, text: { formatSetting($0) })
    }

    /// `(0, upper]`: a positive number.
    public static func positive(upTo upper: Float) -> SettingRange { SettingRange(0, upper, lowerOpen: true) }
}

/// A number as a setting message shows it, in its own precision: `2`, `0.5`, `1e+06`, `nan`, `inf`.
public func formatSetting<F: BinaryFloatingPoint & CustomStringConvertible>(_ x: F) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    var s = x.description
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
}

/// Sizes whose product must stay representable and within a limit (a count of elements, a
/// number of steps).
public enum SettingProduct {
    /// The product of `factors`, or `InvalidSetting` naming `field` (whose value is `value`)
    /// when it overflows `Int` or exceeds `limit`.
    /// - Parameter what: the product's meaning and formula for the message
    ///   (`solver cells per side, resolution × refinement`); settings it names go in `related`.
    public static func check(_ factors: [Int], _ field: String, value: some CustomStringConvertible, limit: Int, what: String,
                             related: [String] = []) throws -> Int {
        var total = 1
        for f in factors {
            let (p, overflow) = total.multipliedReportingOverflow(by: f)
            if overflow || p > limit {
                throw InvalidSetting(field: field, value: value.description,
                                     requirement: "small enough that the \(what) (\(factors.map(String.init).joined(separator: " × "))) stay at most \(limit)",
                                     related: related)
            }
            total = p
        }
        return total
    }
}
