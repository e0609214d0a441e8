import Foundation

/// The memory a run may allocate for what grows with its input: weights read from files, Gram
/// matrices and eigensolver workspaces, training buffers (parameters, gradients, optimizer
/// state, activations). The one budget type of htsr (`--max-memory`).
///
/// Sizes are checked *before* anything is allocated, with overflow-checked products, so that a
/// lying file or an absurd option is an error naming the layer and the bytes it needs, never
/// an allocation that traps or brings the machine to its knees. Everything else (code, small
/// tables, per-block buffers of a few MiB) is outside the budget.
///
/// The default is 80 % of the memory available to the process: the smaller of physical RAM
/// and a cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`) limit.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// Bytes the run may allocate.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = max(0, bytes) }

    /// The share of the available memory the default budget takes.
    public static let defaultShare = 0.8

    /// 80 % of the available memory (`availableMemory()`).
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: Int(Double(availableMemory()) * defaultShare))
    }

    /// Physical memory, or a smaller cgroup limit, in bytes.
    public static func availableMemory() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        var available = pages > 0 && pageSize > 0 ? pages.multipliedReportingOverflow(by: pageSize).partialValue : Int.max
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? InputFile.read(file, limit: 64),
               let limit = Int(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
                available = min(available, limit)
            }
        }
        return available
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var processBudget: MemoryBudget?  // guarded by `lock`

    /// The budget of this process: set once by the command line (`--max-memory`), `default`
    /// until then. Readers, the analyzer and the trainers check against it.
    public static var current: MemoryBudget {
        get {
            lock.lock()
            defer { lock.unlock() }
            if processBudget == nil { processBudget = .default }
            return processBudget!
        }
        set {
            lock.lock()
            processBudget = newValue
            lock.unlock()
        }
    }

    /// Checks that `bytes` (nil: a size that overflowed) fit the budget.
    /// - Throws: `MemoryBudgetError` naming `what`.
    public func check(_ bytes: Int?, for what: String) throws {
        guard let bytes, bytes <= self.bytes else {
            throw MemoryBudgetError(what: what, needed: bytes, budget: self.bytes)
        }
    }

    /// `count × bytesEach` … with every product checked: nil if it overflows.
    public static func bytes(_ factors: Int...) -> Int? { bytes(factors) }

    /// The product of `factors` (non-negative), or nil if it overflows.
    public static func bytes(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (q, o) = p.multipliedReportingOverflow(by: f)
            if o { return nil }
            p = q
        }
        return p
    }

    /// The sum of `terms` (non-negative), or `Int.max` if it overflows — which makes any
    /// product it enters overflow too (`bytes` then returns nil).
    public static func sum(_ terms: Int...) -> Int {
        var s = 0
        for t in terms {
            let (r, o) = s.addingReportingOverflow(max(0, t))
            if o { return .max }
            s = r
        }
        return s
    }

    /// A size in bytes from text: a number with an optional unit, `k`/`KB`/`KiB`, `M…`, `G…`,
    /// `T…` (all powers of 1024), e.g. `8G`, `512MiB`, `1.5g`, `2000000000`. Nil for anything
    /// else, non-positive or non-finite values, and sizes beyond `Int.max`.
    public static func parse(_ text: String) -> MemoryBudget? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { "0123456789.e+".contains($0) }
        var unit = String(t.dropFirst(digits.count)).trimmingCharacters(in: .whitespaces)
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        let scales: [String: Double] = ["": 1, "k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776]
        guard let value = Double(digits), value.isFinite, value > 0, let scale = scales[unit] else { return nil }
        let bytes = value * scale
        guard bytes < 9.2e18 else { return nil }
        return MemoryBudget(bytes: Int(bytes))
    }

    /// A size for messages: `12.3 GiB`, `512 MiB`, `100 bytes`.
    public static func format(_ bytes: Int) -> String {
        let units = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            let v = Double(bytes) / Double(size)
            return (v < 10 ? String(format: "%.1f", v) : String(format: "%.0f", v)) + " " + name
        }
        return "\(bytes) bytes"
    }

    public var description: String { Self.format(bytes) }
}

/// A check that failed: what needed how many bytes, and the budget.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The layer, tensor or buffer (with its file when it has one).
    public let what: String
    /// Bytes needed; nil when the size does not even fit in 64 bits.
    public let needed: Int?
    public let budget: Int

    public init(what: String, needed: Int?, budget: Int) {
        self.what = what
        self.needed = needed
        self.budget = budget
    }

    public var description: String {
        let need = needed.map { "\(MemoryBudget.format($0)) (\($0) bytes)" } ?? "more than 2^63 bytes"
        return "\(what) needs \(need), more than the memory budget of \(MemoryBudget.format(budget))"
    }
}

/// The allocations a run is about to make, by part, checked against a budget as a whole.
public struct MemoryPlan: Sendable {
    /// Each part and its bytes (nil: overflowed).
    public private(set) var parts: [(what: String, bytes: Int?)] = []

    public init() {}

    /// Adds `what`: the product of `dims` elements of `bytesEach` bytes, `copies` times.
    public mutating func add(_ what: String, elements dims: [Int], bytesEach: Int, copies: Int = 1) {
        parts.append((what, MemoryBudget.bytes(dims + [bytesEach, copies])))
    }

    /// The total, or nil if any part or the sum overflows.
    public var total: Int? {
        var sum = 0
        for p in parts {
            guard let b = p.bytes else { return nil }
            let (s, o) = sum.addingReportingOverflow(b)
            if o { return nil }
            sum = s
        }
        return sum
    }

    /// Checks the total against `budget`.
    /// - Throws: `MemoryBudgetError` naming `run` and its largest part (the layer that
    ///   matters most), with the total needed.
    public func check(_ run: String, against budget: MemoryBudget = .current) throws {
        guard let total, total <= budget.bytes else {
            let largest = parts.max { ($0.bytes ?? .max) < ($1.bytes ?? .max) }
            let detail = largest.map { " (largest: \($0.what), \($0.bytes.map(MemoryBudget.format) ?? "more than 2^63 bytes"))" } ?? ""
            throw MemoryBudgetError(what: run + detail, needed: total, budget: budget.bytes)
        }
    }
}

/// Shares a budget between threads that allocate at once (the analyzer's workers): each
/// reserves its part before allocating and returns it after; a part that fits the budget
/// alone waits while others hold too much, one that does not is an error at once.
public final class MemoryLedger: @unchecked Sendable {   // `held` is guarded by `condition`
    public let budget: MemoryBudget
    private let condition = NSCondition()
    private var held = 0

    public init(budget: MemoryBudget = .current) { self.budget = budget }

    /// Reserves `bytes` for `what`, waiting while the others hold too much.
    /// - Throws: `MemoryBudgetError` if `bytes` alone exceed the budget (or overflowed).
    public func reserve(_ bytes: Int?, for what: String) throws {
        try budget.check(bytes, for: what)
        condition.lock()
        defer { condition.unlock() }
        while held > 0 && held + bytes! > budget.bytes { condition.wait() }
        held += bytes!
    }

    /// Returns `bytes` reserved earlier.
    public func release(_ bytes: Int) {
        condition.lock()
        held -= bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` holding `bytes` for `what`.
    public func withReservation<T>(_ bytes: Int?, for what: String, _ body: () throws -> T) throws -> T {
        try reserve(bytes, for: what)
        defer { release(bytes!) }
        return try body()
    }
}
