import Foundation

/// One GGUF tensor: where its blocks are in the file, and their type.
///
/// Blocks are read with `pread` (through `FileReader`) into a buffer and dequantized from
/// there, a few MiB at a time — never from a memory mapping: a file truncated or replaced
/// while mapped faults the process (SIGBUS) at the first touch of a vanished page, whereas a
/// short `pread` is an ordinary `.truncated` error. The copy costs little: the raw blocks are
/// 4.5–32 bits per value against the 64 of the Doubles produced.
struct GGUFTensor: Sendable {
    let reader: FileReader
    let type: GGMLType
    /// Absolute byte offset of the first block.
    let offset: Int
    let count: Int

    /// Raw bytes read per `pread`: whole blocks, about 4 MiB.
    private var blocksPerRead: Int { max(1, (4 << 20) / type.typeSize) }

    /// The whole tensor, dequantized.
    /// - Throws: `CheckpointError(.truncated)` if the file no longer holds the tensor, `.io`.
    func readDoubles() throws -> [Double] {
        var values = [Double](repeating: 0, count: count)
        var done = 0
        try values.withUnsafeMutableBufferPointer { out in
            try forEachRawRun(maxBlocks: blocksPerRead) { raw, blocks in
                GGMLDequantize.decode(type, raw, blocks: blocks, into: out.baseAddress! + done)
                done += blocks * type.blockSize
            }
        }
        return values
    }

    /// Streams the tensor in blocks of at most `elementsPerBlock` values (rounded down to whole
    /// ggml blocks, at least one), dequantized into one buffer.
    func forEachBlock(elementsPerBlock: Int, _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        if count == 0 { return }
        let blocksPer = max(1, min(elementsPerBlock, count) / type.blockSize)
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: blocksPer * type.blockSize)
        defer { buffer.deallocate() }
        try forEachRawRun(maxBlocks: blocksPer) { raw, n in
            GGMLDequantize.decode(type, raw, blocks: n, into: buffer.baseAddress!)
            try body(UnsafeBufferPointer(rebasing: buffer[0..<(n * type.blockSize)]))
        }
    }

    /// Reads the tensor's raw blocks in runs of at most `maxBlocks`, handing each run over.
    private func forEachRawRun(maxBlocks: Int, _ body: (UnsafeRawPointer, Int) throws -> Void) throws {
        let totalBlocks = count / type.blockSize
        let runBlocks = max(1, min(maxBlocks, totalBlocks))
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: runBlocks * type.typeSize, alignment: 16)
        defer { raw.deallocate() }
        var block = 0
        while block < totalBlocks {
            let n = min(runBlocks, totalBlocks - block)
            try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(n * type.typeSize)]),
                            at: offset + block * type.typeSize)
            try body(UnsafeRawPointer(raw.baseAddress!), n)
            block += n
        }
    }
}

/// Opens GGUF files (llama.cpp; versions 2 and 3): header, metadata key/values, tensor infos,
/// alignment; tensors read with `pread` and dequantized on read (see `GGUFTensor`).
///
/// Every count, length, dimension and offset is checked against the file before it is used:
/// a string or array cannot claim more bytes than remain, tensors must lie inside the data
/// section, be aligned and not overlap, and a row (`ne[0]`) must be whole blocks. GGUF's
/// dimension order (`ne[0]` fastest) becomes a row-major shape `[…, ne[1], ne[0]]`.
enum GGUFLoader {
    /// Deepest nesting of metadata arrays accepted.
    static let maximumArrayDepth = 4

    static func load(_ path: String) throws -> LoadedCheckpoint {
        let reader = FileReader(path: path)
        var r = try GGUFCursor(reader: reader)
        let fileSize = r.size
        func invalid(_ m: String) -> CheckpointError { CheckpointError(.invalidHeader, file: path, message: m) }
        guard fileSize >= 24, try r.bytes(4) == Array("GGUF".utf8) else { throw CheckpointError(.truncated, file: path, message: "GGUF file of \(fileSize) bytes ends inside its header") }
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
            guard offset <= UInt64(fileSize) else {
                throw CheckpointError(.truncated, file: path, message: "tensor '\(name)' has data offset \(offset), beyond the end of the file (\(fileSize) bytes)")
            }
            infos.append((name, ne, type, Int(offset)))
        }
        let dataStart = (r.position + alignment - 1) / alignment * alignment

        var tensors: [(info: TensorInfo, source: TensorSource)] = []
        var extents: [(start: Int, end: Int, name: String)] = []
        for t in infos {
            var count = 1
            for n in t.ne {
                let (c, o) = count.multipliedReportingOverflow(by: n)
                guard !o, c <= fileSize.multipliedReportingOverflow(by: 256).partialValue else {
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
            guard ZipArchive.fits(start, bytes, in: fileSize) else {
                throw CheckpointError(.truncated, file: path, message: "tensor '\(t.name)' (\(bytes) bytes at offset \(start)) runs past the end of the file (\(fileSize) bytes)")
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
            tensors.append((info, .gguf(GGUFTensor(reader: reader, type: t.type, offset: start, count: count))))
        }
        extents.sort { $0.start < $1.start }
        for (a, b) in zip(extents, extents.dropFirst()) where b.start < a.end {
            throw CheckpointError(.overlappingTensors, file: path, message: "tensors '\(a.name)' and '\(b.name)' overlap")
        }
        metadata["gguf.version"] = String(version)
        return LoadedCheckpoint(format: .gguf, tensors: tensors, metadata: metadata)
    }
}

/// A bounds-checked little-endian reader over a GGUF file's header, through a window of the
/// file read with `pread` (1 MiB, or more for one long field).
struct GGUFCursor {
    let reader: FileReader
    let path: String
    let size: Int
    var position = 0
    private var window: [UInt8] = []
    private var windowStart = 0

    init(reader: FileReader) throws {
        self.reader = reader
        path = reader.path
        size = try reader.size()
    }

    private func fail(_ what: String, _ need: UInt64) -> CheckpointError {
        CheckpointError(.truncated, file: path, message: "\(what) of \(need) bytes at offset \(position) runs past the end of the file (\(size) bytes)")
    }

    var remaining: Int { size - position }

    /// Makes bytes `position ..< position + n` (n ≤ remaining) available in the window and
    /// returns their start in it.
    private mutating func ensure(_ n: Int) throws -> Int {
        if position >= windowStart, position + n <= windowStart + window.count { return position - windowStart }
        let length = min(remaining, max(n, 1 << 20))
        window = try reader.read(count: length, at: position)
        windowStart = position
        return 0
    }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n <= remaining else { throw fail("a field", UInt64(n)) }
        let at = try ensure(n)
        defer { position += n }
        return Array(window[at..<(at + n)])
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        guard n <= remaining else { throw fail("a field", UInt64(n)) }
        let at = try ensure(n)
        defer { position += n }
        return window.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }

    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }

    /// A count of items that each take at least `minimumBytesEach` bytes: more than the rest
    /// of the file can hold is an error before anything is allocated.
    mutating func count(_ what: String, minimumBytesEach: Int) throws -> Int {
        let n = try u64()
        guard n <= UInt64(remaining / minimumBytesEach) else {
            throw CheckpointError(.invalidHeader, file: path, message: "\(what) \(n) is more than the \(remaining) remaining bytes can hold")
        }
        return Int(n)
    }

    /// A GGUF string: u64 length, UTF-8 bytes.
    mutating func string(_ what: String) throws -> String {
        let n = try u64()
        guard n <= UInt64(remaining) else { throw fail(what, n) }
        let at = try ensure(Int(n))
        defer { position += Int(n) }
        return String(decoding: window[at..<(at + Int(n))], as: UTF8.self)
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
            guard b <= 1 else { throw CheckpointError(.invalidHeader, file: path, message: "a bool metadata value of \(b) at offset \(position - 1)") }
            return b == 1 ? "true" : "false"
        case 8: return try string("a metadata string")
        case 9:
            guard depth < GGUFLoader.maximumArrayDepth else {
                throw CheckpointError(.invalidHeader, file: path, message: "metadata arrays nest deeper than \(GGUFLoader.maximumArrayDepth) levels")
            }
            let elementType = try u32()
            let sizes: [UInt32: Int] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8]
            guard let size = sizes[elementType] else {
                throw CheckpointError(.invalidHeader, file: path, message: "unknown metadata array element type \(elementType) at offset \(position - 4)")
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
            throw CheckpointError(.invalidHeader, file: path, message: "unknown metadata value type \(type) at offset \(position - 4)")
        }
    }
}
