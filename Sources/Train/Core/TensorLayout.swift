/// One named, shaped view into a flat buffer.
public struct TensorEntry: Sendable, Equatable, Codable {
    /// PyTorch-style name, e.g. `fc1.weight`.
    public let name: String
    /// Row-major shape, e.g. `[out, in]` for a Linear weight (PyTorch's layout).
    public let shape: [Int]
    /// First element in the flat buffer.
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// The layer (module) the tensor belongs to: the name without its last `.component`
    /// (`fc1.weight` → `fc1`, `encoder.layer.0.ln.bias` → `encoder.layer.0.ln`).
    public var module: String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }
    /// The last component (`weight`, `bias`, …).
    public var role: String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[name.index(after: dot)...])
    }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// The named tensors of one flat buffer, in the order they were added (llm.c's
/// `ParameterTensors`: one allocation, many views).
///
/// Names are unique; shapes have positive dimensions.
public struct TensorLayout: Sendable, Equatable {
    public private(set) var entries: [TensorEntry] = []
    private var index: [String: Int] = [:]
    /// Total number of elements.
    public private(set) var count = 0

    public init() {}

    /// Adds a tensor at the end of the buffer and returns its entry.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int]) -> TensorEntry {
        precondition(index[name] == nil, "tensor \(name) added twice")
        precondition(shape.allSatisfy { $0 > 0 }, "tensor \(name) has shape \(shape)")
        let e = TensorEntry(name: name, shape: shape, offset: count)
        index[name] = entries.count
        entries.append(e)
        count += e.count
        return e
    }

    /// The entry with this name, if any.
    public subscript(name: String) -> TensorEntry? { index[name].map { entries[$0] } }

    public static func == (a: TensorLayout, b: TensorLayout) -> Bool { a.entries == b.entries }
}
