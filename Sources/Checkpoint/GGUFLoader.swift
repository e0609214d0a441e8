import Foundation

/// A file mapped read-only into memory for the lifetime of this object.
final class MappedFile: @unchecked Sendable {   // immutable after init: a read-only mapping and its size
    let path: String
    let base: UnsafeRawPointer
    let size: Int

    /// Maps `path` whole (PROT_READ, MAP_PRIVATE).
    /// - Throws: `CheckpointError(.io)` if the file cannot be opened or mapped.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError(.io, file: path, message: "cannot open for reading: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CheckpointError(.io, file: path, message: "cannot stat: \(String(cString: strerror(errno)))") }
        size = Int(st.st_size)
        guard size > 0, let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw CheckpointError(.io, file: path, message: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}

/// One GGUF tensor: where its blocks are in the mapped file, and their type.
struct GGUFTensor: Sendable {
    let file: MappedFile
    let type: GGMLType
    /// Absolute byte offset of the first block.
    let offset: Int
    let count: Int

    /// The whole tensor, dequantized.
    func readDoubles() -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { out, initialized in
            if let base = out.baseAddress {
                GGMLDequantize.decode(type, file.base + offset, blocks: count / type.blockSize, into: base)
            }
            initialized = count
        }
    }

    /// Streams the tensor in blocks of at most `elementsPerBlock` values (rounded down to whole
    /// ggml blocks, at least one), dequantizing straight from the mapping into one buffer.
    func forEachBlock(elementsPerBlock: Int, _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        if count == 0 { return }
        let blocksPer = max(1, min(elementsPerBlock, count) / type.blockSize)
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: blocksPer * type.blockSize)
        defer { buffer.deallocate() }
        let totalBlocks = count / type.blockSize
        var block = 0
        while block < totalBlocks {
            let n = min(blocksPer, totalBlocks - block)
            GGMLDequantize.decode(type, file.base + offset + block * type.typeSize, blocks: n, into: buffer.baseAddress!)
            try body(UnsafeBufferPointer(rebasing: buffer[0..<(n * type.blockSize)]))
            block += n
        }
    }
}

/// Opens GGUF files (llama.cpp; versions 2 and 3): header, metadata key/values, tensor infos,
/// alignment; tensors memory-mapped and dequantized on read.
///
/// Every count, length, dimension and offset is checked against the file before it is used:
/// a string or array cannot claim more bytes than remain, tensors must lie inside the data
/// section, be aligned and not overlap, and a row (`ne[0]`) must be whole blocks. GGUF's
/// dimension order (`ne[0]` fastest) becomes a row-major shape `[…, ne[1], ne[0]]`.
enum GGUFLoader {
    /// Deepest nesting of metadata arrays accepted.
    static let maximumArrayDepth = 4

    static func load(_ path: String) throws -> LoadedCheckpoint {
        let file = try MappedFile(path: path)
        var r = GGUFCursor(file: file)
        func invalid(_ m: String) -> CheckpointError { CheckpointError(.invalidHeader, file: path, message: m) }
        guard file.size >= 24, try r.bytes(4) == Array("GGUF".utf8) else { throw CheckpointError(.truncated, file: path, message: "GGUF file of \(file.size) bytes ends inside its header") }
        let version = try r.u32()
        if version == 1 { throw CheckpointError(.unsupported, file: path, message: "GGUF version 1 is not supported (only versions 2 and 3)") }
        if version.byteSwapped == 2 || version.byteSwapped == 3 {
            throw CheckpointError(.unsupported, file: path, message: "a big-endian GGUF file, which is not supported")
        }
        guard version == 2 || version == 3 else { throw invalid("unknown GGUF version \(version)") }
        let tensorCount = try r.count("tensor count", minimumBytesEach: 24)
        let kvCount = try r.count("metadata count", minimumBytesEach: 13)

        var metadata: [String: String] = [:]
        var alignment = 32
        for _ in 0..<kvCount {
            let key = try r.string("metadata key")
            let type = try r.u32()
            if key == "general.alignment" {
                guard type == 4 else { throw invalid("general.alignment has value type \(type), expected uint32") }
                let a = Int(try r.u32())
                guard a > 0, a & (a - 1) == 0, a <= 1 << 20 else { throw invalid("general.alignment \(a) is not a power of two up to 2^20") }
                alignment = a
                metadata[key] = String(a)
                continue
            }
            metadata[key] = try r.value(type, depth: 0)
        }

        var infos: [(name: String, ne: [Int], type: GGMLType, offset: Int)] = []
        var names = Set<String>()
        for _ in 0..<tensorCount {
            let name = try r.string("tensor name")
            guard names.insert(name).inserted else {
                throw CheckpointError(.duplicateTensor, file: path, message: "tensor '\(name)' appears twice")
            }
            let dims = Int(try r.u32())
            guard (1...4).contains(dims) else { throw invalid("tensor '\(name)' has \(dims) dimensions (1 to 4 allowed)") }
            var ne: [Int] = []
            for _ in 0..<dims {
                let n = try r.u64()
                guard n <= UInt64(Int32.max) else { throw invalid("tensor '\(name)' has a dimension of \(n)") }
                ne.append(Int(n))
            }
            let typeID = try r.u32()
            guard let type = GGMLType.all[typeID] else { throw invalid("tensor '\(name)' has unknown type id \(typeID)") }
            let offset = try r.u64()
            guard offset <= UInt64(file.size) else {
                throw CheckpointError(.truncated, file: path, message: "tensor '\(name)' has data offset \(offset), beyond the end of the file (\(file.size) bytes)")
            }
            infos.append((name, ne, type, Int(offset)))
        }
        let dataStart = (r.position + alignment - 1) / alignment * alignment

        var tensors: [(info: TensorInfo, source: TensorSource)] = []
        let reader = FileReader(path: path)
        var extents: [(start: Int, end: Int, name: String)] = []
        for t in infos {
            var count = 1
            for n in t.ne {
                let (c, o) = count.multipliedReportingOverflow(by: n)
                guard !o, c <= file.size.multipliedReportingOverflow(by: 256).partialValue else {
                    throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(t.name)' of dimensions \(t.ne) holds more values than the file could")
                }
                count = c
            }
            guard t.ne[0] % t.type.blockSize == 0 else {
                throw CheckpointError(.shapeMismatch, file: path, message: "tensor '\(t.name)': row length \(t.ne[0]) is not a multiple of the \(t.type.name) block size \(t.type.blockSize)")
            }
            let bytes = count / t.type.blockSize * t.type.typeSize
            guard t.offset % alignment == 0 else {
                throw CheckpointError(.invalidOffsets, file: path, message: "tensor '\(t.name)' data offset \(t.offset) is not a multiple of the alignment \(alignment)")
            }
            let start = dataStart + t.offset
            guard ZipArchive.fits(start, bytes, in: file.size) else {
                throw CheckpointError(.truncated, file: path, message: "tensor '\(t.name)' (\(bytes) bytes at offset \(start)) runs past the end of the file (\(file.size) bytes)")
            }
            extents.append((start, start + bytes, t.name))
            let shape = Array(t.ne.reversed())
            var info: TensorInfo
            if let integer = t.type.integerDType {
                info = TensorInfo(name: t.name, dtype: integer, shape: shape, file: path, layout: .pytorch)
                tensors.append((info, .contiguous(reader: reader, offset: start)))
                continue
            }
            let plain: [UInt32: DType] = [0: .F32, 1: .F16, 28: .F64, 30: .BF16]
            info = TensorInfo(name: t.name, dtype: plain[t.type.id] ?? .F32, shape: shape, file: path, layout: .pytorch)
            if plain[t.type.id] == nil { info.quantization = t.type.name }
            if !t.type.isDequantized { info.unreadable = "GGUF type \(t.type.name) has no dequantizer here" }
            tensors.append((info, .gguf(GGUFTensor(file: file, type: t.type, offset: start, count: count))))
        }
        extents.sort { $0.start < $1.start }
        for (a, b) in zip(extents, extents.dropFirst()) where b.start < a.end {
            throw CheckpointError(.overlappingTensors, file: path, message: "tensors '\(a.name)' and '\(b.name)' overlap")
        }
        metadata["gguf.version"] = String(version)
        return LoadedCheckpoint(format: .gguf, tensors: tensors, metadata: metadata)
    }
}

/// A bounds-checked little-endian reader over a mapped GGUF file.
struct GGUFCursor {
    let file: MappedFile
    var position = 0

    private func fail(_ what: String, _ need: UInt64) -> CheckpointError {
        CheckpointError(.truncated, file: file.path, message: "\(what) of \(need) bytes at offset \(position) runs past the end of the file (\(file.size) bytes)")
    }

    var remaining: Int { file.size - position }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n <= remaining else { throw fail("a field", UInt64(n)) }
        defer { position += n }
        return Array(UnsafeRawBufferPointer(start: file.base + position, count: n))
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        guard MemoryLayout<T>.size <= remaining else { throw fail("a field", UInt64(MemoryLayout<T>.size)) }
        defer { position += MemoryLayout<T>.size }
        return T(littleEndian: file.base.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }

    /// A count of items that each take at least `minimumBytesEach` bytes: more than the rest
    /// of the file can hold is an error before anything is allocated.
    mutating func count(_ what: String, minimumBytesEach: Int) throws -> Int {
        let n = try u64()
        guard n <= UInt64(remaining / minimumBytesEach) else {
            throw CheckpointError(.invalidHeader, file: file.path, message: "\(what) \(n) is more than the \(remaining) remaining bytes can hold")
        }
        return Int(n)
    }

    /// A GGUF string: u64 length, UTF-8 bytes.
    mutating func string(_ what: String) throws -> String {
        let n = try u64()
        guard n <= UInt64(remaining) else { throw fail(what, n) }
        defer { position += Int(n) }
        return String(decoding: UnsafeRawBufferPointer(start: file.base + position, count: Int(n)), as: UTF8.self)
    }

    /// A metadata value of type `type`, rendered as text (arrays as a summary).
    mutating func value(_ type: UInt32, depth: Int) throws -> String {
        switch type {
        case 0: return String(try load(UInt8.self))
        case 1: return String(try load(Int8.self))
        case 2: return String(try load(UInt16.self))
        case 3: return String(try load(Int16.self))
        case 4: return String(try load(UInt32.self))
        case 5: return String(try load(Int32.self))
        case 6: return String(Float(bitPattern: try load(UInt32.self)))
        case 7:
            let b = try load(UInt8.self)
            guard b <= 1 else { throw CheckpointError(.invalidHeader, file: file.path, message: "a bool metadata value of \(b) at offset \(position - 1)") }
            return b == 1 ? "true" : "false"
        case 8: return try string("a metadata string")
        case 9:
            guard depth < GGUFLoader.maximumArrayDepth else {
                throw CheckpointError(.invalidHeader, file: file.path, message: "metadata arrays nest deeper than \(GGUFLoader.maximumArrayDepth) levels")
            }
            let elementType = try u32()
            let sizes: [UInt32: Int] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8]
            guard let size = sizes[elementType] else {
                throw CheckpointError(.invalidHeader, file: file.path, message: "unknown metadata array element type \(elementType) at offset \(position - 4)")
            }
            let n = try count("a metadata array's length", minimumBytesEach: size)
            if [8, 9].contains(elementType) {
                for _ in 0..<n { _ = try value(elementType, depth: depth + 1) }
            } else {
                position += n * size
            }
            return "[\(n) values]"
        case 10: return String(try load(UInt64.self))
        case 11: return String(try load(Int64.self))
        case 12: return String(Double(bitPattern: try load(UInt64.self)))
        default:
            throw CheckpointError(.invalidHeader, file: file.path, message: "unknown metadata value type \(type) at offset \(position - 4)")
        }
    }
}
