/// A regular expression over layer and module names (`--layers`, LoRA `rank_pattern` keys),
/// matched in time linear in the name: a compiled Thompson NFA simulated over the name's
/// Unicode scalars, keeping a set of states instead of backtracking.
///
/// A backtracking engine (Swift's `Regex`, PCRE) takes time exponential in the name on
/// patterns with nested quantifiers such as `(a+)+$` or `(a|aa)*b`; here every pattern runs in
/// O(name length × pattern size), and the pattern size is bounded (`maximumStates`).
///
/// Syntax (a subset of the common one; anything else is an error naming the offset):
/// - literals; `\` before punctuation makes it literal; `\t \n \r`, `\xHH`, `\u{H…}`;
/// - `.` (any scalar but newline); classes `[abc]`, `[a-z]`, `[^…]`; `\d \w \s` and `\D \W \S`
///   (decimal digits, word characters, whitespace — Unicode-aware, as in Swift's `Regex`),
///   inside classes too;
/// - anchors `^` (start of the name) and `$` (end);
/// - groups `(…)`, `(?:…)`, `(?<name>…)`; alternation `|`;
/// - quantifiers `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` (m, n ≤ 1000), optionally lazy (`*?`,
///   which matches the same names).
/// Not supported: backreferences, lookaround, possessive quantifiers, `\b`, Unicode
/// properties, inline options. Matching is case-sensitive, on Unicode scalars.
public struct NamePattern: Sendable {
    /// The pattern as given.
    public let source: String
    private let program: [Instruction]
    private let sets: [ScalarSet]

    /// Largest compiled program accepted (counted repetitions are expanded).
    public static let maximumStates = 20_000
    /// Deepest group nesting accepted.
    public static let maximumNesting = 200
    /// Largest count in `{m,n}`.
    public static let maximumCount = 1000

    /// Compiles `pattern`.
    /// - Throws: `NamePatternError` naming the offset and the problem.
    public init(_ pattern: String) throws {
        source = pattern
        var parser = Parser(Array(pattern.unicodeScalars))
        let tree = try parser.parseWhole()
        var compiler = Compiler()
        try compiler.emit(tree, pattern: pattern)
        compiler.program.append(.match)
        program = compiler.program
        sets = compiler.sets
    }

    /// Whether the pattern matches somewhere in `name` (like `Regex.firstMatch(in:) != nil`).
    public func matches(_ name: String) -> Bool { run(Array(name.unicodeScalars), whole: false) }

    /// Whether the pattern matches all of `name` (like `Regex.wholeMatch(in:) != nil`).
    public func matchesWhole(_ name: String) -> Bool { run(Array(name.unicodeScalars), whole: true) }

    // MARK: - Simulation

    private func run(_ input: [Unicode.Scalar], whole: Bool) -> Bool {
        var current = StateSet(capacity: program.count)
        var next = StateSet(capacity: program.count)
        var stack: [Int] = []
        stack.reserveCapacity(16)
        /// Adds `pc` and everything reachable from it without consuming a scalar, at `position`;
        /// true when `match` is reached (and acceptable there).
        func close(_ pc: Int, into set: inout StateSet, at position: Int) -> Bool {
            stack.append(pc)
            var matched = false
            while let p = stack.popLast() {
                guard set.insert(p) else { continue }
                switch program[p] {
                case .jump(let to): stack.append(to)
                case .split(let a, let b): stack.append(b); stack.append(a)
                case .start: if position == 0 { stack.append(p + 1) }
                case .end: if position == input.count { stack.append(p + 1) }
                case .match: if !whole || position == input.count { matched = true }
                case .scalars: break
                }
            }
            return matched
        }
        if close(0, into: &current, at: 0) { return true }
        for (i, c) in input.enumerated() {
            next.removeAll()
            for pc in current.members {
                if case .scalars(let s) = program[pc], sets[s].contains(c) {
                    if close(pc + 1, into: &next, at: i + 1) { return true }
                }
            }
            // A search may also start at every later position.
            if !whole, close(0, into: &next, at: i + 1) { return true }
            swap(&current, &next)
            if current.members.isEmpty { return false }
        }
        return false
    }

    private enum Instruction: Sendable {
        case scalars(Int)
        case split(Int, Int)
        case jump(Int)
        case start, end, match
    }

    /// A sparse set of program counters: O(1) insert, membership and clearing.
    private struct StateSet {
        var dense: [Int] = []
        var sparse: [Int]
        init(capacity: Int) { sparse = Array(repeating: 0, count: capacity); dense.reserveCapacity(capacity) }
        var members: [Int] { dense }
        /// Inserts `x`; false if it was already there.
        mutating func insert(_ x: Int) -> Bool {
            let k = sparse[x]
            if k < dense.count && dense[k] == x { return false }
            sparse[x] = dense.count
            dense.append(x)
            return true
        }
        mutating func removeAll() { dense.removeAll(keepingCapacity: true) }
    }

    // MARK: - Syntax tree and compiler

    fileprivate indirect enum Node {
        case empty
        case scalars(ScalarSet)
        case start, end
        case sequence([Node])
        case choice([Node])
        case repeated(Node, min: Int, max: Int?)
    }

    private struct Compiler {
        var program: [Instruction] = []
        var sets: [ScalarSet] = []

        mutating func emit(_ node: Node, pattern: String) throws {
            guard program.count <= NamePattern.maximumStates else {
                throw NamePatternError(pattern: pattern, offset: nil, problem: "is too large once its counted repetitions are expanded (more than \(NamePattern.maximumStates) states)")
            }
            switch node {
            case .empty:
                break
            case .scalars(let s):
                sets.append(s)
                program.append(.scalars(sets.count - 1))
            case .start:
                program.append(.start)
            case .end:
                program.append(.end)
            case .sequence(let parts):
                for p in parts { try emit(p, pattern: pattern) }
            case .choice(let options):
                // split L1, next; L1: a; jump end; next: split L2, … ; last option
                var jumps: [Int] = []
                for (k, option) in options.enumerated() {
                    if k < options.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(option, pattern: pattern)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(option, pattern: pattern)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case let .repeated(inner, min, max):
                for _ in 0..<min { try emit(inner, pattern: pattern) }
                if let max {
                    // (inner (inner (…)?)?)? — each optional copy may stop.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        try emit(inner, pattern: pattern)
                    }
                    for s in splits { program[s] = .split(s + 1, program.count) }
                } else {
                    // L: split body, out; body: inner; jump L; out:
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    try emit(inner, pattern: pattern)
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }

    private struct Parser {
        let text: [Unicode.Scalar]
        var i = 0
        var depth = 0
        init(_ text: [Unicode.Scalar]) { self.text = text }

        var pattern: String { String(String.UnicodeScalarView(text)) }
        func fail(_ problem: String, at offset: Int? = nil) -> NamePatternError {
            NamePatternError(pattern: pattern, offset: offset ?? i, problem: problem)
        }
        var atEnd: Bool { i >= text.count }
        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < text.count ? text[i + k] : nil }

        mutating func parseWhole() throws -> Node {
            let node = try parseChoice()
            if !atEnd { throw fail("unbalanced ')'") }
            return node
        }

        mutating func parseChoice() throws -> Node {
            var options = [try parseSequence()]
            while peek() == "|" {
                i += 1
                options.append(try parseSequence())
            }
            return options.count == 1 ? options[0] : .choice(options)
        }

        mutating func parseSequence() throws -> Node {
            var parts: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var atom = try parseAtom()
                var quantified = false
                while let q = peek(), q == "*" || q == "+" || q == "?" || (q == "{" && isCount(at: i)) {
                    if quantified { throw fail("a quantifier follows another (possessive and repeated quantifiers are not supported)") }
                    let at = i
                    let (min, max) = try parseQuantifier()
                    if case .start = atom { throw fail("nothing to repeat", at: at) }
                    if case .end = atom { throw fail("nothing to repeat", at: at) }
                    atom = .repeated(atom, min: min, max: max)
                    quantified = true
                    if peek() == "?" { i += 1 }   // lazy: the same names match
                }
                parts.append(atom)
            }
            return parts.isEmpty ? .empty : parts.count == 1 ? parts[0] : .sequence(parts)
        }

        /// Whether `{` at `k` starts a counted repetition `{m}`, `{m,}` or `{m,n}`.
        func isCount(at k: Int) -> Bool {
            var j = k + 1
            var digits = 0
            while j < text.count, text[j].properties.numericType == .decimal, text[j].isASCII { j += 1; digits += 1 }
            guard digits > 0, j < text.count else { return false }
            if text[j] == "}" { return true }
            guard text[j] == "," else { return false }
            j += 1
            while j < text.count, text[j].properties.numericType == .decimal, text[j].isASCII { j += 1 }
            return j < text.count && text[j] == "}"
        }

        mutating func parseQuantifier() throws -> (Int, Int?) {
            let c = text[i]
            i += 1
            switch c {
            case "*": return (0, nil)
            case "+": return (1, nil)
            case "?": return (0, 1)
            default:
                let start = i - 1
                func number() throws -> Int? {
                    var value = 0, digits = 0
                    while let d = peek(), d.isASCII, let v = d.properties.numericType == .decimal ? Int(String(d)) : nil {
                        value = value * 10 + v
                        digits += 1
                        i += 1
                        if value > NamePattern.maximumCount { throw fail("a count above \(NamePattern.maximumCount)", at: start) }
                    }
                    return digits == 0 ? nil : value
                }
                let min = try number()!
                var max: Int? = min
                if peek() == "," {
                    i += 1
                    max = try number()
                }
                i += 1   // "}"
                if let max, max < min { throw fail("{\(min),\(max)} has its maximum below its minimum", at: start) }
                return (min, max)
            }
        }

        mutating func parseAtom() throws -> Node {
            let c = text[i]
            switch c {
            case "(":
                let open = i
                i += 1
                if peek() == "?" {
                    if peek(1) == ":" {
                        i += 2
                    } else if peek(1) == "<" && peek(2) != "=" && peek(2) != "!" || peek(1) == "P" && peek(2) == "<" {
                        // A named group: skip the name.
                        while let n = peek(), n != ">" { i += 1 }
                        guard peek() == ">" else { throw fail("unterminated group name", at: open) }
                        i += 1
                    } else {
                        throw fail("lookaround and inline options '(?' are not supported", at: open)
                    }
                }
                depth += 1
                guard depth <= NamePattern.maximumNesting else { throw fail("groups nest deeper than \(NamePattern.maximumNesting)", at: open) }
                let inner = try parseChoice()
                depth -= 1
                guard peek() == ")" else { throw fail("unbalanced '('", at: open) }
                i += 1
                return inner
            case ")":
                throw fail("unbalanced ')'")
            case "*", "+", "?":
                throw fail("nothing to repeat")
            case "[":
                return .scalars(try parseClass())
            case ".":
                i += 1
                return .scalars(ScalarSet(items: [.init(ranges: [(0x0A, 0x0A)], negated: true)], negated: false))
            case "^":
                i += 1
                return .start
            case "$":
                i += 1
                return .end
            case "\\":
                return .scalars(try parseEscape(inClass: false))
            default:
                i += 1
                return .scalars(ScalarSet(single: c))
            }
        }

        mutating func parseEscape(inClass: Bool) throws -> ScalarSet {
            let at = i
            i += 1
            guard let e = peek() else { throw fail("a pattern cannot end with '\\'", at: at) }
            i += 1
            switch e {
            case "d": return .digit
            case "D": return .digit.inverted
            case "w": return .word
            case "W": return .word.inverted
            case "s": return .space
            case "S": return .space.inverted
            case "t": return ScalarSet(single: "\t")
            case "n": return ScalarSet(single: "\n")
            case "r": return ScalarSet(single: "\r")
            case "x":
                return ScalarSet(single: try hexScalar(digits: 2, at: at))
            case "u":
                if peek() == "{" {
                    i += 1
                    var value: UInt32 = 0, digits = 0
                    while let h = peek(), h != "}" {
                        guard let v = UInt32(String(h), radix: 16), digits < 8 else { throw fail("bad \\u{…} escape", at: at) }
                        value = value * 16 + v
                        digits += 1
                        i += 1
                    }
                    guard peek() == "}", digits > 0, let s = Unicode.Scalar(value) else { throw fail("bad \\u{…} escape", at: at) }
                    i += 1
                    return ScalarSet(single: s)
                }
                return ScalarSet(single: try hexScalar(digits: 4, at: at))
            default:
                if e.isASCII && (e.properties.isAlphabetic || e.properties.numericType != nil) {
                    throw fail("the escape '\\\(e)' is not supported (backreferences, \\b, \\p{…} and the like are not)", at: at)
                }
                return ScalarSet(single: e)
            }
        }

        mutating func hexScalar(digits: Int, at: Int) throws -> Unicode.Scalar {
            guard i + digits <= text.count else { throw fail("bad hexadecimal escape", at: at) }
            let hex = String(String.UnicodeScalarView(text[i..<(i + digits)]))
            guard let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { throw fail("bad hexadecimal escape", at: at) }
            i += digits
            return s
        }

        mutating func parseClass() throws -> ScalarSet {
            let open = i
            i += 1
            var negated = false
            if peek() == "^" { negated = true; i += 1 }
            var items: [ScalarSet.Item] = []
            var ranges: [(UInt32, UInt32)] = []
            var first = true
            while true {
                guard let c = peek() else { throw fail("unterminated character class '['", at: open) }
                if c == "]" && !first { i += 1; break }
                first = false
                if c == "[" && peek(1) == ":" { throw fail("POSIX classes '[:…:]' are not supported") }
                var low: UInt32
                if c == "\\" {
                    let set = try parseEscape(inClass: true)
                    guard let single = set.single else { items.append(contentsOf: set.asItems); continue }
                    low = single
                } else {
                    low = c.value
                    i += 1
                }
                if peek() == "-", let after = peek(1), after != "]" {
                    i += 1
                    var high: UInt32
                    if after == "\\" {
                        let set = try parseEscape(inClass: true)
                        guard let single = set.single else { throw fail("a class range ends in a class escape") }
                        high = single
                    } else {
                        high = after.value
                        i += 1
                    }
                    guard low <= high else { throw fail("the class range is out of order", at: open) }
                    ranges.append((low, high))
                    low = 0
                    continue
                }
                ranges.append((low, low))
            }
            if !ranges.isEmpty { items.append(.init(ranges: ranges, negated: false)) }
            return ScalarSet(items: items, negated: negated)
        }
    }
}

/// A set of Unicode scalars: a union of range lists (each possibly negated), possibly negated.
struct ScalarSet: Sendable {
    /// The Unicode-aware classes of `\d`, `\w`, `\s` (as Swift's `Regex` defines them).
    enum Property: Sendable {
        case digit, word, space
        func contains(_ c: Unicode.Scalar) -> Bool {
            let p = c.properties
            switch self {
            case .digit: return p.numericType == .decimal
            case .word:
                switch p.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
                default: return p.isAlphabetic || p.numericType == .decimal
                }
            case .space: return p.isWhitespace
            }
        }
    }
    struct Item: Sendable {
        var ranges: [(UInt32, UInt32)]
        var property: Property? = nil
        var negated: Bool
        func contains(_ c: Unicode.Scalar) -> Bool {
            let v = c.value
            return (ranges.contains { $0.0 <= v && v <= $0.1 } || property?.contains(c) == true) != negated
        }
    }
    var items: [Item]
    var negated: Bool

    init(items: [Item], negated: Bool) { self.items = items; self.negated = negated }
    init(single c: Unicode.Scalar) { self.init(items: [Item(ranges: [(c.value, c.value)], negated: false)], negated: false) }

    func contains(_ c: Unicode.Scalar) -> Bool { items.contains { $0.contains(c) } != negated }

    /// The one scalar this set holds, when it is a plain literal.
    var single: UInt32? {
        guard !negated, items.count == 1, !items[0].negated, items[0].ranges.count == 1, items[0].ranges[0].0 == items[0].ranges[0].1 else { return nil }
        return items[0].ranges[0].0
    }

    /// This set as items of an enclosing class (a class escape inside `[…]`).
    var asItems: [Item] {
        if !negated { return items }
        // ¬(a ∪ b) inside a union: only single-item sets are negated escapes here (\D, \W, \S).
        return items.map { var flipped = $0; flipped.negated.toggle(); return flipped }
    }

    var inverted: ScalarSet { ScalarSet(items: items, negated: !negated) }

    static let digit = ScalarSet(items: [Item(ranges: [], property: .digit, negated: false)], negated: false)
    static let word = ScalarSet(items: [Item(ranges: [], property: .word, negated: false)], negated: false)
    static let space = ScalarSet(items: [Item(ranges: [], property: .space, negated: false)], negated: false)
}

/// A pattern `NamePattern` cannot compile: the pattern, where (scalar offset) and why.
public struct NamePatternError: Error, CustomStringConvertible, Equatable, Sendable {
    public let pattern: String
    public let offset: Int?
    public let problem: String
    public var description: String {
        "'\(pattern)' is not a supported regular expression: \(problem)" + (offset.map { " (at offset \($0))" } ?? "")
    }
}
