import Synchronization

/// A fixed number of result slots filled from several threads, and the first error.
///
/// Worker `w` computes item `i` and calls `store(_:at:)`; when the workers are done the caller
/// reads `values` (in item order, whatever order they were computed in). A failed worker calls
/// `fail(_:)`; the first error is kept unless `prefer` says a later one names the problem better.
/// All state sits behind one `Mutex`, so the type is `Sendable` without `@unchecked`.
///
/// Edge cases: storing into a slot twice keeps the last value and counts once; an index outside
/// `0..<count` is a programming error (trap), as for an array.
public final class ResultSlots<Value: Sendable>: Sendable {
    private struct State {
        var values: [Value?]
        var filled = 0
        var firstError: (any Error)?
    }

    private let state: Mutex<State>
    /// The number of slots.
    public let count: Int

    public init(count: Int) {
        self.count = count
        state = Mutex(State(values: Array(repeating: nil, count: count)))
    }

    /// Stores `value` in slot `i` and returns how many slots are filled.
    @discardableResult
    public func store(_ value: Value, at i: Int) -> Int {
        state.withLock { s in
            if s.values[i] == nil { s.filled += 1 }
            s.values[i] = value
            return s.filled
        }
    }

    /// Records `error`: kept if it is the first, or if `prefer(error, current)` is true.
    public func fail(_ error: any Error, prefer: (any Error, any Error) -> Bool = { _, _ in false }) {
        state.withLock { s in
            if let current = s.firstError, !prefer(error, current) { return }
            s.firstError = error
        }
    }

    /// The error kept by `fail`, if any.
    public var firstError: (any Error)? { state.withLock { $0.firstError } }
    /// Whether `fail` has been called.
    public var hasError: Bool { state.withLock { $0.firstError != nil } }
    /// How many slots are filled.
    public var filled: Int { state.withLock { $0.filled } }
    /// The slots in item order (nil where nothing was stored).
    public var values: [Value?] { state.withLock { $0.values } }
}

/// Hands out the item numbers `0..<count` in order, once each, until exhausted or stopped.
public final class WorkCounter: Sendable {
    private struct State {
        var next = 0
        var stopped = false
    }

    private let state = Mutex(State())
    /// The number of items.
    public let count: Int

    public init(count: Int) { self.count = count }

    /// The next item number, or nil when all are taken or `stop()` was called.
    public func next() -> Int? {
        state.withLock { s in
            guard !s.stopped, s.next < count else { return nil }
            s.next += 1
            return s.next - 1
        }
    }

    /// Hands out nothing more.
    public func stop() { state.withLock { $0.stopped = true } }
}
