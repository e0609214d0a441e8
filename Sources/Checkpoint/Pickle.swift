import Foundation

/// A value built by the pickle machine. Lists and dicts are reference types, because pickle's
/// memo shares them (an object appended to after being memoised is the same object).
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    /// A whitelisted class or function named by `GLOBAL` / `STACK_GLOBAL` (never called: the
    /// machine knows what each one builds).
    case global(module: String, name: String)
    /// A persistent id that names a PyTorch storage.
    case storage(TorchStorageReference)
    /// A tensor rebuilt by `torch._utils._rebuild_tensor_v2` (or a parameter wrapping one).
    case tensor(TorchTensorReference)

    /// How deeply tuples nest in this value (lists and dicts count as 1: their contents are
    /// released separately, see `PickleMachine.release`).
    var depth: Int {
        switch self {
        case .tuple(let t): return t.depth
        case .list, .dict: return 1
        default: return 0
        }
    }
}

/// An immutable tuple with its nesting depth (bounded, so that releasing it never recurses deeply).
final class PickleTuple {
    let items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.map(\.depth).max() ?? 0)
    }
}
final class PickleList { var items: [PickleValue] = [] }
final class PickleDict { var items: [(key: PickleValue, value: PickleValue)] = [] }

/// A storage named by a persistent id `('storage', torch.<Type>Storage, key, location, numel)`.
struct TorchStorageReference {
    /// The storage class name, e.g. `FloatStorage`.
    let type: String
    /// The archive key: the storage's bytes are `<archive>/data/<key>`.
    let key: String
    /// Number of elements of the storage's type.
    let elements: Int
}

/// What a pickled tensor points at: its storage, element type and view.
struct TorchTensorReference {
    let storageKey: String
    let dtype: DType
    let storageElements: Int
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// A restricted pickle virtual machine for PyTorch's `data.pkl` (protocols 2–5).
///
/// It never executes anything: globals are checked against a whitelist when they are named
/// (`collections.OrderedDict`, the tensor and parameter rebuild functions of `torch._utils` /
/// `torch._tensor`, `torch.<Type>Storage`, `torch.Size`, `torch.Tensor`,
/// `torch.nn.parameter.Parameter`), and any other global — `os.system`, `builtins.eval`, a
/// model class — is an error naming it. Only the opcodes PyTorch writes are accepted; the
/// others (INST, OBJ, EXT*, text-mode opcodes, ...) are errors naming the opcode. Memory is
/// bounded by the pickle's size; tuple nesting is limited to `maximumDepth`.
struct PickleMachine {
    /// Deepest tuple nesting accepted (PyTorch files nest a few levels).
    static let maximumDepth = 100

    let file: String
    let bytes: [UInt8]
    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every list and dict created, so `release` can empty them without deep recursion.
    private var containers: [AnyObject] = []

    init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    /// The globals a PyTorch state dict may name (module, name).
    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.Size", "torch.Tensor", "torch.nn.parameter.Parameter",
    ]

    /// Runs the program to `STOP` and returns the top of the stack. Call `release()` when done
    /// with the result.
    /// - Throws: `CheckpointError(.disallowedGlobal)` for a global outside the whitelist,
    ///   `.invalidHeader` for malformed pickles or opcodes outside the supported set.
    mutating func run() throws -> PickleValue {
        while true {
            let at = position
            let op = try byte()
            switch op {
            case 0x80: _ = try byte()                                    // PROTO
            case 0x95: try skip(8)                                       // FRAME
            case 0x2E:                                                   // STOP '.'
                guard let top = stack.popLast() else { throw fail("STOP with an empty stack", at) }
                return top
            case 0x28: marks.append(stack.count)                         // MARK '('
            case 0x30: _ = try pop(at)                                   // POP '0'
            case 0x31: _ = try popMark(at)                               // POP_MARK '1'
            case 0x32: stack.append(try top(at))                         // DUP '2'
            case 0x7D: stack.append(.dict(newDict()))                    // EMPTY_DICT '}'
            case 0x5D: stack.append(.list(newList()))                    // EMPTY_LIST ']'
            case 0x29: stack.append(try tuple([], at))                   // EMPTY_TUPLE ')'
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
            case 0x58: stack.append(.string(try text(try length(4, at))))         // BINUNICODE 'X'
            case 0x8C: stack.append(.string(try text(Int(try byte()))))          // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try text(try length(8, at))))         // BINUNICODE8
            case 0x55: stack.append(.string(try text(Int(try byte()))))          // SHORT_BINSTRING 'U'
            case 0x54: stack.append(.string(try text(try length(4, at))))         // BINSTRING 'T'
            case 0x43: stack.append(.bytes(try take(Int(try byte()))))           // SHORT_BINBYTES 'C'
            case 0x42: stack.append(.bytes(try take(try length(4, at))))          // BINBYTES 'B'
            case 0x8E: stack.append(.bytes(try take(try length(8, at))))          // BINBYTES8
            case 0x63:                                                   // GLOBAL 'c'
                let module = try line(), name = try line()
                stack.append(try global(module, name, at))
            case 0x93:                                                   // STACK_GLOBAL
                let name = try pop(at), module = try pop(at)
                guard case .string(let m) = module, case .string(let n) = name else { throw fail("STACK_GLOBAL needs two strings", at) }
                stack.append(try global(m, n, at))
            case 0x71: memo[Int(try byte())] = try top(at)               // BINPUT 'q'
            case 0x72: memo[Int(try unsigned(4))] = try top(at)          // LONG_BINPUT 'r'
            case 0x94: memo[memo.count] = try top(at)                    // MEMOIZE
            case 0x68, 0x6A:                                             // BINGET 'h', LONG_BINGET 'j'
                let key = op == 0x68 ? Int(try byte()) : Int(try unsigned(4))
                guard let v = memo[key] else { throw fail("memo key \(key) was never stored", at) }
                stack.append(v)
            case 0x74: stack.append(try tuple(try popMark(at), at))     // TUPLE 't'
            case 0x85: stack.append(try tuple([try pop(at)], at))        // TUPLE1
            case 0x86: let b = try pop(at), a = try pop(at); stack.append(try tuple([a, b], at))      // TUPLE2
            case 0x87: let c = try pop(at), b = try pop(at), a = try pop(at); stack.append(try tuple([a, b, c], at))   // TUPLE3
            case 0x6C:                                                   // LIST 'l'
                let l = newList(); l.items = try popMark(at); stack.append(.list(l))
            case 0x61, 0x65:                                             // APPEND 'a', APPENDS 'e'
                let items = op == 0x61 ? [try pop(at)] : try popMark(at)
                guard case .list(let l) = try top(at) else { throw fail("APPEND to a non-list", at) }
                l.items += items
            case 0x64:                                                   // DICT 'd'
                let d = newDict(); d.items = try pairs(try popMark(at), at); stack.append(.dict(d))
            case 0x73, 0x75:                                             // SETITEM 's', SETITEMS 'u'
                let items: [PickleValue]
                if op == 0x73 { let v = try pop(at), k = try pop(at); items = [k, v] } else { items = try popMark(at) }
                guard case .dict(let d) = try top(at) else { throw fail("SETITEM on a non-dict", at) }
                d.items += try pairs(items, at)
            case 0x51:                                                   // BINPERSID 'Q'
                stack.append(.storage(try storage(try pop(at), at)))
            case 0x52, 0x81:                                             // REDUCE 'R', NEWOBJ
                let args = try pop(at), callable = try pop(at)
                stack.append(try call(callable, args, at))
            case 0x62:                                                   // BUILD 'b'
                let state = try pop(at)
                let target = try top(at)
                switch target {
                case .tensor, .dict: break       // a tensor's or OrderedDict's extra state (e.g. `_metadata`): ignored
                default: throw fail("BUILD on a \(Self.kind(target)) (\(Self.kind(state)) state)", at)
                }
            default:
                throw fail(String(format: "opcode 0x%02X%@ is not allowed (only the opcodes PyTorch writes are read)",
                                  op, Self.opcodeNames[op].map { " (\($0))" } ?? ""), at)
            }
        }
    }

    /// Empties every list and dict built, so that values are released without recursion
    /// however the pickle nested or linked them (cycles included).
    mutating func release() {
        for c in containers {
            if let l = c as? PickleList { l.items = [] } else if let d = c as? PickleDict { d.items = [] }
        }
        containers = []
        memo = [:]
        stack = []
    }

    /// Names of opcodes outside the supported set, for error messages.
    static let opcodeNames: [UInt8: String] = [
        0x69: "INST", 0x6F: "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x92: "NEWOBJ_EX",
        0x49: "INT", 0x4C: "LONG", 0x8B: "LONG4", 0x53: "STRING", 0x56: "UNICODE", 0x46: "FLOAT",
        0x70: "PUT", 0x67: "GET", 0x50: "PERSID", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET",
        0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
    ]

    private mutating func newList() -> PickleList { let l = PickleList(); containers.append(l); return l }
    private mutating func newDict() -> PickleDict { let d = PickleDict(); containers.append(d); return d }

    private func tuple(_ items: [PickleValue], _ at: Int) throws -> PickleValue {
        let t = PickleTuple(items)
        guard t.depth <= Self.maximumDepth else { throw fail("tuples nest deeper than \(Self.maximumDepth) levels", at) }
        return .tuple(t)
    }

    /// A global, if whitelisted.
    private func global(_ module: String, _ name: String, _ at: Int) throws -> PickleValue {
        let full = module + "." + name
        let isStorage = module == "torch" && name.hasSuffix("Storage") && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        guard Self.allowedGlobals.contains(full) || isStorage else {
            throw CheckpointError(.disallowedGlobal, file: file,
                                  message: "data.pkl at byte \(at): the pickle names the global '\(full)', which is not allowed (only PyTorch tensors and containers are read; nothing is executed)")
        }
        return .global(module: module, name: name)
    }

    /// `('storage', torch.<Type>Storage, key, location, numel)`.
    private func storage(_ pid: PickleValue, _ at: Int) throws -> TorchStorageReference {
        guard case .tuple(let t) = pid, t.items.count >= 5, case .string("storage") = t.items[0],
              case .global("torch", let type) = t.items[1], case .string(let key) = t.items[2],
              case .int(let numel) = t.items[4], numel >= 0 else {
            throw fail("a persistent id that is not a PyTorch storage reference", at)
        }
        return TorchStorageReference(type: type, key: key, elements: numel)
    }

    /// What a whitelisted callable builds from `args`; nothing is executed.
    private mutating func call(_ callable: PickleValue, _ args: PickleValue, _ at: Int) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw fail("REDUCE on a \(Self.kind(callable)), not a global", at)
        }
        guard case .tuple(let t) = args else { throw fail("arguments of \(module).\(name) are not a tuple", at) }
        let a = t.items
        switch module + "." + name {
        case "collections.OrderedDict":
            return .dict(newDict())
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            return .tensor(try tensorReference(a, at))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let first = a.first, case .tensor = first else { throw fail("\(name) without a tensor", at) }
            return first
        case "torch._tensor._rebuild_from_type_v2":
            // (func, new_type, args, state): func must itself be a tensor rebuild function.
            guard a.count >= 3, case .global = a[0] else { throw fail("_rebuild_from_type_v2 without a rebuild function", at) }
            guard case .global("torch._utils", let f) = a[0], f.hasPrefix("_rebuild_tensor") || f.hasPrefix("_rebuild_parameter") else {
                throw fail("_rebuild_from_type_v2 with an unexpected function", at)
            }
            return try call(a[0], a[2], at)
        case "torch.Size":
            guard let first = a.first, case .tuple = first else { throw fail("torch.Size without a tuple", at) }
            return first
        default:
            throw CheckpointError(.disallowedGlobal, file: file,
                                  message: "data.pkl at byte \(at): the pickle calls '\(module).\(name)', which is not allowed (nothing is executed)")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks, …)`.
    private func tensorReference(_ a: [PickleValue], _ at: Int) throws -> TorchTensorReference {
        guard a.count >= 4, case .storage(let s) = a[0], case .int(let offset) = a[1],
              case .tuple(let size) = a[2], case .tuple(let stride) = a[3] else {
            throw fail("unexpected arguments to the tensor rebuild function", at)
        }
        guard let dtype = Self.storageTypes[s.type] else {
            throw CheckpointError(.unknownDType, file: file, message: "tensor storage type torch.\(s.type) is not supported")
        }
        func ints(_ values: [PickleValue]) throws -> [Int] {
            try values.map { v in guard case .int(let i) = v else { throw fail("a tensor size or stride is not an integer", at) }; return i }
        }
        return TorchTensorReference(storageKey: s.key, dtype: dtype, storageElements: s.elements, offset: offset,
                                    shape: try ints(size.items), strides: try ints(stride.items))
    }

    /// PyTorch storage classes and their element types.
    static let storageTypes: [String: DType] = [
        "DoubleStorage": .F64, "FloatStorage": .F32, "HalfStorage": .F16, "BFloat16Storage": .BF16,
        "Float8_e4m3fnStorage": .F8_E4M3, "Float8_e5m2Storage": .F8_E5M2,
        "LongStorage": .I64, "IntStorage": .I32, "ShortStorage": .I16, "CharStorage": .I8,
        "ByteStorage": .U8, "UInt16Storage": .U16, "UInt32Storage": .U32, "UInt64Storage": .U64, "BoolStorage": .BOOL,
    ]

    static func kind(_ v: PickleValue) -> String {
        switch v {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let m, let n): return "global \(m).\(n)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
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

    /// A length field of `n` bytes, checked against what is left of the pickle before use.
    private mutating func length(_ n: Int, _ at: Int) throws -> Int {
        let v = try unsigned(n)
        guard v <= UInt64(bytes.count - position) else {
            throw fail("a string of \(v) bytes runs past the end of the pickle (\(bytes.count - position) bytes left)", at)
        }
        return Int(v)
    }

    private mutating func littleEndianSigned(_ n: Int, _ at: Int) throws -> Int {
        guard n <= 8 else { throw fail("integer of \(n) bytes is too large", at) }
        if n == 0 { return 0 }
        let v = try unsigned(n)
        let shift = UInt64(64 - 8 * n)
        return Int(Int64(bitPattern: v << shift) >> Int64(shift))
    }

    /// Steps over `n` bytes (FRAME's 8-byte length field: frames only group opcodes, which are
    /// read as they come) without copying them. (Copying them into an array that was then
    /// discarded was miscompiled with -O and AddressSanitizer, which reported a heap use after
    /// free: fixtures/fuzz/pickle/frame-after-frame.pkl.)
    private mutating func skip(_ n: Int) throws {
        guard n >= 0, n <= bytes.count - position else { throw fail("FRAME's length field runs past the end of the pickle", position) }
        position += n
    }

    private mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - position else { throw fail("a string runs past the end of the pickle", position) }
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    private mutating func text(_ n: Int) throws -> String { String(decoding: try take(n), as: UTF8.self) }

    private mutating func line() throws -> String {
        guard position < bytes.count, let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("GLOBAL without a newline", position) }
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
