extension UnsafeBufferPointer {
    /// Calls `body` with consecutive slices of at most `size` elements (the last may be shorter),
    /// covering the buffer in order; an empty buffer gives no call.
    public func forEachBlock(of size: Int, _ body: (UnsafeBufferPointer<Element>) throws -> Void) rethrows {
        var start = 0
        while start < count {
            let end = Swift.min(count, start + Swift.max(1, size))
            try body(UnsafeBufferPointer(rebasing: self[start..<end]))
            start = end
        }
    }
}
