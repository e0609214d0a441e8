#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One contiguous allocation of `count` elements, zero-initialised, freed with the object.
///
/// Parameters, gradients, optimizer moments and activations each live in one `FlatBuffer`,
/// addressed through a `TensorLayout` (`buffer[entry]` is the pointer to that tensor).
public final class FlatBuffer<T: TrainScalar>: @unchecked Sendable {  // raw storage; callers partition the writes between threads
    public let pointer: UnsafeMutablePointer<T>
    public let count: Int

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        Self.zeroBytes(pointer, max(1, count))
    }

    /// Zero in every `TrainScalar` (Float, Double) is all zero bytes: one memset, not a generic
    /// element-by-element store (this class is generic across modules, so it is not specialised).
    @inline(__always) static func zeroBytes(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        _ = memset(p, 0, n * MemoryLayout<T>.stride)   // trivial type: the bytes are the value; the binding stays T
    }

    public convenience init(_ values: [T]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// The first element of `entry`'s tensor.
    @inline(__always) public subscript(entry: TensorEntry) -> UnsafeMutablePointer<T> { pointer + entry.offset }

    public var buffer: UnsafeMutableBufferPointer<T> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// A copy of the elements.
    public var array: [T] { Array(buffer) }

    /// A copy of one tensor's elements.
    public func array(_ entry: TensorEntry) -> [T] { Array(UnsafeBufferPointer(start: pointer + entry.offset, count: entry.count)) }

    /// Overwrites one tensor's elements.
    public func set(_ entry: TensorEntry, _ values: [T]) {
        precondition(values.count == entry.count, "\(entry.name): \(values.count) values for shape \(entry.shape)")
        values.withUnsafeBufferPointer { (pointer + entry.offset).update(from: $0.baseAddress!, count: entry.count) }
    }

    public func zero() { Self.zeroBytes(pointer, count) }

    /// Copies all elements from `other` (same count).
    public func copy(from other: FlatBuffer<T>) {
        precondition(other.count == count)
        pointer.update(from: other.pointer, count: count)
    }
}

/// A model's parameters and their gradients: two flat buffers with the same named views.
public final class ParameterSet<T: TrainScalar>: @unchecked Sendable {  // two FlatBuffers (see there) and an immutable layout
    public let layout: TensorLayout
    public let values: FlatBuffer<T>
    public let grads: FlatBuffer<T>

    public init(layout: TensorLayout) {
        self.layout = layout
        values = FlatBuffer(count: layout.count)
        grads = FlatBuffer(count: layout.count)
    }

    public var entries: [TensorEntry] { layout.entries }

    /// The entry named `name`; traps if there is none (names are fixed by the model's code).
    public func entry(_ name: String) -> TensorEntry {
        guard let e = layout[name] else { preconditionFailure("no parameter named \(name)") }
        return e
    }

}
