/// Reads safetensors tensor data in fixed-size chunks, converting as it goes.
enum TensorReader {
    /// Bytes read per `pread`; the peak extra memory of a read.
    static let chunkBytes = 1 << 20

    /// `count` elements of `dtype` at absolute byte `offset`, converted to `T`.
    ///
    /// Memory use is the output array plus one chunk; the file is never mapped whole.
    /// - Throws: `CheckpointError(.truncated)` if the file ends early, `.io` on a read error.
    static func read<T: BinaryFloatingPoint>(_ reader: FileReader, offset: Int, dtype: DType, count: Int,
                                             as _: T.Type) throws -> [T] {
        if count == 0 { return [] }
        let size = dtype.byteSize
        let perChunk = chunkBytes / size
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, perChunk) * size, alignment: 16)
        defer { chunk.deallocate() }
        return try [T](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = 0
            var done = 0
            while done < count {
                let n = min(perChunk, count - done)
                let bytes = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(n * size)])
                try reader.read(into: bytes, at: offset + done * size)
                ScalarDecoding.decode(UnsafeRawBufferPointer(bytes), as: dtype, into: out.baseAddress! + done)
                done += n
            }
            initialized = count
        }
    }

    /// Streams `count` elements at absolute byte `offset` as Doubles, in blocks of at most
    /// `elementsPerBlock` elements (the last may be shorter), into one reused buffer.
    ///
    /// Memory use is one block of Doubles plus its raw bytes, whatever the tensor's size.
    static func forEachBlock(_ reader: FileReader, offset: Int, dtype: DType, count: Int, elementsPerBlock: Int,
                             _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        if count == 0 { return }
        let size = dtype.byteSize
        let perBlock = max(1, min(elementsPerBlock, count))
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: perBlock * size, alignment: 16)
        defer { raw.deallocate() }
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: perBlock)
        defer { out.deallocate() }
        var done = 0
        while done < count {
            let n = min(perBlock, count - done)
            let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[0..<(n * size)])
            try reader.read(into: bytes, at: offset + done * size)
            ScalarDecoding.decode(UnsafeRawBufferPointer(bytes), as: dtype, into: out.baseAddress!)
            try body(UnsafeBufferPointer(rebasing: out[0..<n]))
            done += n
        }
    }
}
