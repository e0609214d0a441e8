internal import CGnuplot

/// A gnuplot script: command text interleaved with binary data blocks, in the order gnuplot
/// reads them (each `'-' binary` element of a `plot` command reads one block right after the
/// command's line).
public struct GnuplotScript: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case text(String)
        case data(DataBlock)
    }

    public private(set) var segments: [Segment] = []

    public init() {}

    mutating func append(_ text: String) {
        if case let .text(t)? = segments.last {
            segments[segments.count - 1] = .text(t + text)
        } else {
            segments.append(.text(text))
        }
    }

    mutating func line(_ text: String) { append(text + "\n") }

    mutating func append(_ block: DataBlock) { segments.append(.data(block)) }

    /// The commands with each data block shown as a comment line (`# data: 20 records × 6 float64`),
    /// for snapshot tests and for reading; not a runnable script.
    public var listing: String {
        segments.map { s -> String in
            switch s {
            case let .text(t): return t
            case let .data(b): return "# data: \(b.rows) records × \(b.columns) float64\n"
            }
        }.joined()
    }

    /// The data blocks in order.
    public var dataBlocks: [DataBlock] {
        segments.compactMap { if case let .data(b) = $0 { return b } else { return nil } }
    }
}

/// Records of float64 columns, sent to gnuplot in binary.
public struct DataBlock: Sendable, Equatable {
    public let columns: Int
    public let rows: Int
    /// Column-major: `values[c * rows + r]`.
    public let values: [Double]

    /// - Precondition: the columns have equal lengths.
    public init(columns cols: [[Double]]) {
        let rows = cols.first?.count ?? 0
        precondition(cols.allSatisfy { $0.count == rows }, "data columns differ in length")
        columns = cols.count
        self.rows = rows
        values = cols.flatMap { $0 }
    }

    /// The `binary` clause of a `'-'` element reading this block, from gnuplot-iostream
    /// (`format='%double%double' record=(N)`), so that the text and the bytes sent agree.
    public var formatClause: String {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = htsr_gnuplot_binary_format(columns, rows, &buffer, buffer.count)
        precondition(n >= 0, "binary format clause does not fit")
        return String(cString: buffer).trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
