import Spectrum

/// The eigen-decompositions of one output row — the expensive part of its analysis, made from
/// the weights. `Analyzer.reports` makes the row from these (metrics, fits, MP, randomisation
/// and FARMS columns), so a distributed run computes them on the ranks, sends them to rank 0
/// (``encoded()``), and rank 0 makes every row exactly as a single process does.
public struct RowSpectra: Sendable, Equatable {
    /// Eigenvalues (ascending, scaled like the layer's ESD, limited to its rank), or why there
    /// are none.
    public enum Values: Sendable, Equatable {
        case eigenvalues([Double])
        case nonFinite(count: Int)
        /// LAPACK failed (its message).
        case failed(String)
    }

    /// The FARMS spectrum, none (no window fits the layer), or LAPACK's failure.
    public enum FARMSValues: Sendable, Equatable {
        case spectrum(FARMSSpectrum)
        case noWindow
        case failed(String)
    }

    public var layer: Values
    /// With `--randomize`, when the layer has eigenvalues: the shuffled layer's (a failure
    /// here ends the row: FARMS is then not computed).
    public var randomized: Values?
    /// With `--farms`, when the layer has eigenvalues and the shuffle did not fail.
    public var farms: FARMSValues?

    public init(layer: Values, randomized: Values? = nil, farms: FARMSValues? = nil) {
        self.layer = layer
        self.randomized = randomized
        self.farms = farms
    }
}

/// The spectra of one job (one tensor): one `RowSpectra` per output row.
public struct JobSpectra: Sendable, Equatable {
    public var rows: [RowSpectra]

    public init(rows: [RowSpectra]) { self.rows = rows }

    /// A message that failed to decode.
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Little-endian bytes: the row count, then per row its values, randomised values and
    /// FARMS spectrum, each with a tag. Doubles travel as their bit patterns, so the decoded
    /// spectra are the computed ones bit for bit.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.int(rows.count)
        for row in rows {
            w.values(row.layer)
            if let r = row.randomized { w.byte(1); w.values(r) } else { w.byte(0) }
            switch row.farms {
            case nil: w.byte(0)
            case let .spectrum(s)?:
                w.byte(1)
                w.doubles(s.eigenvalues)
                w.int(s.windows.rows); w.int(s.windows.cols)
                w.ints(s.windows.rowStarts); w.ints(s.windows.colStarts)
                w.int(s.windowCount)
            case .noWindow?: w.byte(2)
            case let .failed(m)?: w.byte(3); w.string(m)
            }
        }
        return w.bytes
    }

    /// Decodes `encoded()`'s bytes; every count is checked against the bytes left.
    /// - Throws: `DecodingError` for a truncated or malformed message.
    public init(decoding bytes: [UInt8]) throws {
        var r = ByteReader(bytes: bytes)
        let count = try r.count(elementSize: 1)
        var rows: [RowSpectra] = []
        for _ in 0..<count {
            var row = RowSpectra(layer: try r.values())
            switch try r.byte() {
            case 0: break
            case 1: row.randomized = try r.values()
            case let t: throw DecodingError(description: "unknown randomisation tag \(t)")
            }
            switch try r.byte() {
            case 0: break
            case 1:
                let values = try r.doubles()
                let windows = FARMSWindows(rows: try r.int(), cols: try r.int(), rowStarts: try r.ints(), colStarts: try r.ints())
                row.farms = .spectrum(FARMSSpectrum(eigenvalues: values, windows: windows, windowCount: try r.int()))
            case 2: row.farms = .noWindow
            case 3: row.farms = .failed(try r.string())
            case let t: throw DecodingError(description: "unknown FARMS tag \(t)")
            }
            rows.append(row)
        }
        guard r.atEnd else { throw DecodingError(description: "\(bytes.count - r.offset) trailing bytes") }
        self.rows = rows
    }
}

/// Appends little-endian values to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func ints(_ v: [Int]) { int(v.count); for x in v { int(x) } }
    mutating func doubles(_ v: [Double]) { int(v.count); for x in v { u64(x.bitPattern) } }
    mutating func string(_ s: String) { let u = Array(s.utf8); int(u.count); bytes.append(contentsOf: u) }

    mutating func values(_ v: RowSpectra.Values) {
        switch v {
        case let .eigenvalues(x): byte(0); doubles(x)
        case let .nonFinite(n): byte(1); int(n)
        case let .failed(m): byte(2); string(m)
        }
    }
}

/// Reads what `ByteWriter` wrote, checking every length against the bytes left.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw JobSpectra.DecodingError(description: "message ends early") }
        offset += 1
        return bytes[offset - 1]
    }

    mutating func u64() throws -> UInt64 {
        guard bytes.count - offset >= 8 else { throw JobSpectra.DecodingError(description: "message ends early") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }

    /// A count of elements of `elementSize` bytes that must fit in the rest of the message.
    mutating func count(elementSize: Int) throws -> Int {
        let n = try int()
        guard n >= 0, n <= (bytes.count - offset) / max(1, elementSize) else {
            throw JobSpectra.DecodingError(description: "count \(n) exceeds the message")
        }
        return n
    }

    mutating func ints() throws -> [Int] { try (0..<count(elementSize: 8)).map { _ in try int() } }
    mutating func doubles() throws -> [Double] { try (0..<count(elementSize: 8)).map { _ in Double(bitPattern: try u64()) } }

    mutating func string() throws -> String {
        let n = try count(elementSize: 1)
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }

    mutating func values() throws -> RowSpectra.Values {
        switch try byte() {
        case 0: return .eigenvalues(try doubles())
        case 1: return .nonFinite(count: try int())
        case 2: return .failed(try string())
        case let t: throw JobSpectra.DecodingError(description: "unknown values tag \(t)")
        }
    }
}

extension RowSpectra {
    /// The row of a streamed layer: its eigenvalues (the largest `limit`), or its NaN/Inf count.
    init(_ streamed: ESD.Streamed, limit: Int?) {
        switch streamed {
        case let .nonFinite(count): self.init(layer: .nonFinite(count: count))
        case let .esd(esd): self.init(layer: .eigenvalues(Analyzer.limited(esd, to: limit).eigenvalues))
        }
    }
}
