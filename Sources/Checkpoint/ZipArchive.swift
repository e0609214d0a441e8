import Foundation

/// A reader of ZIP archives (PKWARE APPNOTE 6.3) whose entries are *stored* (method 0, as
/// `torch.save` writes them) or *deflated* (method 8, as a `.keras` file may be).
///
/// It reads the end-of-central-directory record (ZIP64 too), the central directory, and each
/// entry's local header. Every size and offset is checked against the file before anything is
/// allocated: an entry must lie inside the file, a stored entry's size equal its compressed
/// size, and a deflated entry declare no more than deflate can produce from its bytes
/// (`Zlib.maximumRatio`), so a zip bomb is refused before it is inflated. Encrypted entries and
/// other methods are reported as unsupported.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
        var isStored: Bool { method == 0 }
    }

    let path: String
    let entries: [Entry]
    let reader: FileReader
    let fileSize: Int
    private let byName: [String: Int]

    /// Reads the archive's directory.
    /// - Throws: `CheckpointError(.notACheckpoint)` if there is no end-of-central-directory
    ///   record, `.invalidHeader` / `.truncated` for a malformed directory (an entry outside
    ///   the file, a count the directory cannot hold, duplicate names), `.compression` for an
    ///   entry declaring more than deflate can produce, `.io` on read errors.
    init(path: String, reader: FileReader? = nil) throws {
        self.path = path
        let reader = reader ?? FileReader(path: path)
        self.reader = reader
        fileSize = try reader.size()
        func invalid(_ m: String) -> CheckpointError { CheckpointError(.invalidHeader, file: path, message: m) }
        let tailLength = min(fileSize, 22 + 65_535)
        let tail = try reader.read(count: tailLength, at: fileSize - tailLength)
        guard tail.count >= 22,
              let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4b50 }) else {
            throw CheckpointError(.notACheckpoint, file: path, message: "not a ZIP archive (no end-of-central-directory record)")
        }
        var count = Int(Self.u16(tail, eocd + 10))
        var directorySize = Int(Self.u32(tail, eocd + 12))
        var directoryOffset = Int(Self.u32(tail, eocd + 16))
        // ZIP64: a locator just before the EOCD points at the ZIP64 EOCD record.
        if eocd >= 20, Self.u32(tail, eocd - 20) == 0x0706_4b50 {
            let recordOffset = Self.int(Self.u64(tail, eocd - 20 + 8))
            guard Self.fits(recordOffset, 56, in: fileSize) else {
                throw CheckpointError(.truncated, file: path, message: "the ZIP64 end-of-central-directory record lies beyond the end of the file")
            }
            let record = try reader.read(count: 56, at: recordOffset)
            guard Self.u32(record, 0) == 0x0606_4b50 else { throw invalid("ZIP64 end-of-central-directory record is missing") }
            count = Self.int(Self.u64(record, 32))
            directorySize = Self.int(Self.u64(record, 40))
            directoryOffset = Self.int(Self.u64(record, 48))
        }
        guard Self.fits(directoryOffset, directorySize, in: fileSize) else {
            throw CheckpointError(.truncated, file: path, message: "the ZIP central directory (\(directorySize) bytes at offset \(directoryOffset)) lies beyond the end of the file (\(fileSize) bytes)")
        }
        guard count <= directorySize / 46 else {
            throw invalid("the ZIP directory claims \(count) entries but its \(directorySize) bytes hold at most \(directorySize / 46)")
        }
        let directory = try reader.read(count: directorySize, at: directoryOffset)
        var entries: [Entry] = []
        var byName: [String: Int] = [:]
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, Self.u32(directory, p) == 0x0201_4b50 else {
                throw invalid("malformed ZIP central directory entry \(entries.count)")
            }
            let nameLength = Int(Self.u16(directory, p + 28)), extraLength = Int(Self.u16(directory, p + 30))
            let commentLength = Int(Self.u16(directory, p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw invalid("ZIP central directory entry \(entries.count) overruns the directory")
            }
            let name = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            var compressed = Int(Self.u32(directory, p + 20)), size = Int(Self.u32(directory, p + 24))
            var offset = Int(Self.u32(directory, p + 42))
            // ZIP64 extended information (header 0x0001): the 0xFFFFFFFF fields, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = Self.u16(directory, e), length = Int(Self.u16(directory, e + 2))
                let end = min(e + 4 + length, extraEnd)
                if id == 0x0001 {
                    var q = e + 4
                    if size == 0xFFFF_FFFF, q + 8 <= end { size = Self.int(Self.u64(directory, q)); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= end { compressed = Self.int(Self.u64(directory, q)); q += 8 }
                    if offset == 0xFFFF_FFFF, q + 8 <= end { offset = Self.int(Self.u64(directory, q)) }
                }
                e += 4 + length
            }
            let entry = Entry(name: name, method: Self.u16(directory, p + 10), flags: Self.u16(directory, p + 8),
                              crc32: Self.u32(directory, p + 16), compressedSize: compressed, size: size, localHeaderOffset: offset)
            guard Self.fits(offset, 30, in: fileSize), Self.fits(offset, compressed, in: fileSize) else {
                throw CheckpointError(.truncated, file: path, message: "ZIP entry '\(name)' (\(compressed) bytes at offset \(offset)) lies beyond the end of the file (\(fileSize) bytes)")
            }
            if entry.isStored && size != compressed {
                throw invalid("stored ZIP entry '\(name)' declares \(size) bytes but occupies \(compressed)")
            }
            if entry.method == 8 && size > compressed.multipliedReportingOverflow(by: Zlib.maximumRatio).partialValue + 1024 {
                throw CheckpointError(.compression, file: path, message: "ZIP entry '\(name)' declares \(size) bytes from \(compressed) compressed bytes, more than deflate can produce (a zip bomb or a corrupt directory)")
            }
            guard byName.updateValue(entries.count, forKey: name) == nil else {
                throw invalid("ZIP entry '\(name)' appears twice")
            }
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
        self.byName = byName
    }

    /// The entry called `name`, or nil.
    func entry(named name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// The absolute offset of the entry's first data byte (after its local header).
    /// - Throws: `.unsupported` for encrypted entries or methods other than stored/deflated,
    ///   `.invalidHeader` for a missing local header, `.truncated` if the data runs past the end.
    func dataOffset(of entry: Entry) throws -> Int {
        guard entry.flags & 1 == 0 else {
            throw CheckpointError(.unsupported, file: path, message: "ZIP entry '\(entry.name)' is encrypted")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw CheckpointError(.unsupported, file: path, message: "ZIP entry '\(entry.name)' uses compression method \(entry.method); only stored and deflated entries are supported")
        }
        let header = try reader.read(count: 30, at: entry.localHeaderOffset)
        guard Self.u32(header, 0) == 0x0403_4b50 else {
            throw CheckpointError(.invalidHeader, file: path, message: "ZIP entry '\(entry.name)' has no local header at its offset")
        }
        let start = entry.localHeaderOffset + 30 + Int(Self.u16(header, 26)) + Int(Self.u16(header, 28))
        guard Self.fits(start, entry.compressedSize, in: fileSize) else {
            throw CheckpointError(.truncated, file: path, message: "ZIP entry '\(entry.name)' runs past the end of the file")
        }
        return start
    }

    /// Streams the entry's (inflated) bytes to `output` in chunks and checks its CRC-32.
    /// At most `entry.size` bytes are produced, whatever the compressed data says.
    func extract(_ entry: Entry, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        let start = try dataOffset(of: entry)
        var crc: UInt32 = 0
        if entry.isStored {
            let chunk = 1 << 20
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunk, max(entry.size, 1)), alignment: 16)
            defer { buffer.deallocate() }
            var done = 0
            while done < entry.size {
                let n = min(buffer.count, entry.size - done)
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                try reader.read(into: slice, at: start + done)
                crc = Zlib.crc32(UnsafeRawBufferPointer(slice), continuing: crc)
                try output(UnsafeRawBufferPointer(slice))
                done += n
            }
        } else {
            try Zlib.inflateRaw(file: path, what: "ZIP entry '\(entry.name)'", compressedSize: entry.compressedSize,
                                expectedSize: entry.size,
                                input: { offset, buffer in try reader.read(into: buffer, at: start + offset) },
                                output: { bytes in
                                    crc = Zlib.crc32(bytes, continuing: crc)
                                    try output(bytes)
                                })
        }
        guard crc == entry.crc32 else {
            throw CheckpointError(.invalidHeader, file: path, message: "ZIP entry '\(entry.name)' fails its CRC-32 check (corrupt file)")
        }
    }

    /// The entry's bytes, CRC-checked; refused before reading if it declares more than `limit`.
    /// - Throws: as `extract`, and `.headerTooLarge` above `limit`.
    func data(of entry: Entry, limit: Int = Int.max) throws -> [UInt8] {
        guard entry.size <= limit else {
            throw CheckpointError(.headerTooLarge, file: path, message: "ZIP entry '\(entry.name)' declares \(entry.size) bytes, more than the limit of \(limit)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.size)
        try extract(entry) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Whether `length` bytes at `offset` lie inside a file of `size` bytes (no overflow).
    static func fits(_ offset: Int, _ length: Int, in size: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= size && length <= size - offset
    }

    /// A 64-bit field as Int; values beyond `Int.max` become `Int.max` (so range checks fail).
    static func int(_ v: UInt64) -> Int { v > UInt64(Int.max) ? Int.max : Int(v) }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
