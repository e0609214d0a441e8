import Foundation

/// A value built by the pickle machine. Lists and dicts are reference types, because pickle's
/// memo shares them (an object appended to after being memoised is the same object).
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A class or function named by `GLOBAL` / `STACK_GLOBAL`.
    case global(module: String, name: String)
    /// The object a persistent id stands for (PyTorch: a storage reference tuple).
    case persistent(PickleValue)
    /// The result of calling `callable` with `arguments` (REDUCE / NEWOBJ) when the machine does
    /// not know the callable; `state` is what BUILD set.
    case object(callable: PickleValue, arguments: PickleValue, state: PickleValue?)
    /// A tensor rebuilt by `torch._utils._rebuild_tensor_v2` (or `_rebuild_parameter`).
    case tensor(TorchTensorReference)
}

final class PickleList { var items: [PickleValue] = [] }
final class PickleDict { var items: [(key: PickleValue, value: PickleValue)] = [] }

/// What a pickled tensor points at: its storage (by archive key), element type and view.
struct TorchTensorReference {
    let storageKey: String
    let dtype: DType
    let storageElements: Int
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A minimal pickle virtual machine for PyTorch's `data.pkl` (protocols 2–5): dicts, lists,
/// tuples, strings, numbers, `collections.OrderedDict`, persistent storage ids and the tensor
/// rebuild functions. Arbitrary callables are never executed; an unknown `REDUCE` just records
/// the call. Unknown opcodes raise an error naming the opcode and its offset.
struct PickleMachine {
    let file: String
    let bytes: [UInt8]
    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    /// Runs the program to `STOP` and returns the top of the stack.
    /// - Throws: `CheckpointError(.invalidHeader)` for malformed or unsupported pickles.
    mutating func run() throws -> PickleValue {
        while true {
            let at = position
            let op = try byte()
            switch op {
            case 0x80: _ = try byte()                                    // PROTO
            case 0x95: position += 8                                     // FRAME
            case 0x2E:                                                   // STOP '.'
                guard let top = stack.popLast() else { throw fail("STOP with an empty stack", at) }
                return top
            case 0x28: marks.append(stack.count)                         // MARK '('
            case 0x7D: stack.append(.dict(PickleDict()))                 // EMPTY_DICT '}'
            case 0x5D: stack.append(.list(PickleList()))                 // EMPTY_LIST ']'
            case 0x29: stack.append(.tuple([]))                          // EMPTY_TUPLE ')'
            case 0x4E: stack.append(.none)                               // NONE 'N'
            case 0x88: stack.append(.bool(true))                         // NEWTRUE
            case 0x89: stack.append(.bool(false))                        // NEWFALSE
            case 0x4B: stack.append(.int(Int(try byte())))               // BININT1 'K'
            case 0x4D: stack.append(.int(Int(try unsigned(2))))          // BININT2 'M'
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))   // BININT 'J'
            case 0x8A:                                                   // LONG1
                let n = Int(try byte())
                stack.append(.int(try littleEndianSigned(n, at)))
            case 0x47:                                                   // BINFLOAT 'G' (big-endian)
                var v: UInt64 = 0
                for _ in 0..<8 { v = v << 8 | UInt64(try byte()) }
                stack.append(.float(Double(bitPattern: v)))
            case 0x58: stack.append(.string(try text(Int(try unsigned(4)))))     // BINUNICODE 'X'
            case 0x8C: stack.append(.string(try text(Int(try byte()))))          // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try text(Int(try unsigned(8)))))     // BINUNICODE8
            case 0x55: stack.append(.string(try text(Int(try byte()))))          // SHORT_BINSTRING 'U'
            case 0x54: stack.append(.string(try text(Int(try unsigned(4)))))     // BINSTRING 'T'
            case 0x43: stack.append(.bytes(try take(Int(try byte()))))           // SHORT_BINBYTES 'C'
            case 0x42: stack.append(.bytes(try take(Int(try unsigned(4)))))      // BINBYTES 'B'
            case 0x63:                                                   // GLOBAL 'c'
                let module = try line(), name = try line()
                stack.append(.global(module: module, name: name))
            case 0x93:                                                   // STACK_GLOBAL
                let name = try pop(at), module = try pop(at)
                guard case .string(let m) = module, case .string(let n) = name else { throw fail("STACK_GLOBAL needs two strings", at) }
                stack.append(.global(module: m, name: n))
            case 0x71: memo[Int(try byte())] = try top(at)               // BINPUT 'q'
            case 0x72: memo[Int(try unsigned(4))] = try top(at)          // LONG_BINPUT 'r'
            case 0x94: memo[memo.count] = try top(at)                    // MEMOIZE
            case 0x68, 0x6A:                                             // BINGET 'h', LONG_BINGET 'j'
                let key = op == 0x68 ? Int(try byte()) : Int(try unsigned(4))
                guard let v = memo[key] else { throw fail("memo key \(key) was never stored", at) }
                stack.append(v)
            case 0x74: stack.append(.tuple(try popMark(at)))            // TUPLE 't'
            case 0x85: stack.append(.tuple([try pop(at)]))               // TUPLE1
            case 0x86: let b = try pop(at), a = try pop(at); stack.append(.tuple([a, b]))     // TUPLE2
            case 0x87: let c = try pop(at), b = try pop(at), a = try pop(at); stack.append(.tuple([a, b, c]))   // TUPLE3
            case 0x6C:                                                   // LIST 'l'
                let l = PickleList(); l.items = try popMark(at); stack.append(.list(l))
            case 0x61, 0x65:                                             // APPEND 'a', APPENDS 'e'
                let items = op == 0x61 ? [try pop(at)] : try popMark(at)
                guard case .list(let l) = try top(at) else { throw fail("APPEND to a non-list", at) }
                l.items += items
            case 0x64:                                                   // DICT 'd'
                let d = PickleDict(); d.items = try pairs(try popMark(at), at); stack.append(.dict(d))
            case 0x73, 0x75:                                             // SETITEM 's', SETITEMS 'u'
                let items: [PickleValue]
                if op == 0x73 { let v = try pop(at), k = try pop(at); items = [k, v] } else { items = try popMark(at) }
                guard case .dict(let d) = try top(at) else { throw fail("SETITEM on a non-dict", at) }
                d.items += try pairs(items, at)
            case 0x51:                                                   // BINPERSID 'Q'
                stack.append(.persistent(try pop(at)))
            case 0x52, 0x81:                                             // REDUCE 'R', NEWOBJ
                let args = try pop(at), callable = try pop(at)
                stack.append(try reduce(callable, args, at))
            case 0x62:                                                   // BUILD 'b'
                let state = try pop(at)
                let target = try pop(at)
                if case .object(let c, let a, _) = target {
                    stack.append(.object(callable: c, arguments: a, state: state))
                } else {
                    stack.append(target)     // e.g. a tensor's or OrderedDict's extra state: ignored
                }
            default:
                throw fail(String(format: "unsupported pickle opcode 0x%02X", op), at)
            }
        }
    }

    /// Calls the callables PyTorch files use; records any other call without running it.
    private func reduce(_ callable: PickleValue, _ args: PickleValue, _ at: Int) throws -> PickleValue {
        guard case .global(let module, let name) = callable, case .tuple(let a) = args else {
            return .object(callable: callable, arguments: args, state: nil)
        }
        switch (module, name) {
        case ("collections", "OrderedDict"):
            return .dict(PickleDict())
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            return .tensor(try tensorReference(a, at))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let first = a.first, case .tensor = first else { throw fail("_rebuild_parameter without a tensor", at) }
            return first
        default:
            return .object(callable: callable, arguments: args, state: nil)
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks, …)` with
    /// storage = persistent `('storage', torch.<Type>Storage, key, location, numel)`.
    private func tensorReference(_ a: [PickleValue], _ at: Int) throws -> TorchTensorReference {
        guard a.count >= 4, case .persistent(.tuple(let id)) = a[0], id.count >= 5,
              case .string("storage") = id[0], case .global(_, let storageType) = id[1],
              case .string(let key) = id[2], case .int(let numel) = id[4],
              case .int(let offset) = a[1], case .tuple(let size) = a[2], case .tuple(let stride) = a[3] else {
            throw fail("unexpected arguments to the tensor rebuild function", at)
        }
        let dtypes: [String: DType] = ["DoubleStorage": .F64, "FloatStorage": .F32, "HalfStorage": .F16, "BFloat16Storage": .BF16,
                                       "LongStorage": .I64, "IntStorage": .I32, "ShortStorage": .I16, "CharStorage": .I8,
                                       "ByteStorage": .U8, "BoolStorage": .BOOL]
        guard let dtype = dtypes[storageType] else {
            throw CheckpointError(.unknownDType, file: file, message: "tensor storage type torch.\(storageType) is not supported")
        }
        func ints(_ values: [PickleValue]) throws -> [Int] {
            try values.map { v in guard case .int(let i) = v else { throw fail("a tensor size or stride is not an integer", at) }; return i }
        }
        return TorchTensorReference(storageKey: key, dtype: dtype, storageElements: numel, offset: offset,
                                    shape: try ints(size), strides: try ints(stride))
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw fail("the pickle ends without STOP", position) }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func unsigned(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(try byte()) << (8 * UInt64(k)) }
        return v
    }

    private mutating func littleEndianSigned(_ n: Int, _ at: Int) throws -> Int {
        guard n <= 8 else { throw fail("integer of \(n) bytes is too large", at) }
        if n == 0 { return 0 }
        let v = try unsigned(n)
        let shift = UInt64(64 - 8 * n)
        return Int(Int64(bitPattern: v << shift) >> Int64(shift))
    }

    private mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, position + n <= bytes.count else { throw fail("a string runs past the end of the pickle", position) }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    private mutating func text(_ n: Int) throws -> String { String(decoding: try take(n), as: UTF8.self) }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("GLOBAL without a newline", position) }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func pop(_ at: Int) throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail("stack underflow", at) }
        return v
    }

    private func top(_ at: Int) throws -> PickleValue {
        guard let v = stack.last else { throw fail("stack underflow", at) }
        return v
    }

    private mutating func popMark(_ at: Int) throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("no MARK on the stack", at) }
        defer { stack.removeLast(stack.count - m) }
        return Array(stack[m...])
    }

    private func pairs(_ items: [PickleValue], _ at: Int) throws -> [(key: PickleValue, value: PickleValue)] {
        guard items.count % 2 == 0 else { throw fail("odd number of dict items", at) }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    private func fail(_ message: String, _ at: Int) -> CheckpointError {
        CheckpointError(.invalidHeader, file: file, message: "data.pkl at byte \(at): \(message)")
    }
}
