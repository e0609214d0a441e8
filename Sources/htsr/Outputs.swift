import Analyzer
import ArgumentParser
import Checkpoint
import Foundation

/// The text formats of analyses, comparisons and tables.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// The extension of a file in this format (a table is `.txt`).
    var fileExtension: String { self == .table ? "txt" : rawValue }

    /// The format a file extension names (`json`, `csv`, `txt`), case-insensitively.
    init?(fileExtension ext: String) {
        guard let f = Self.allCases.first(where: { $0.fileExtension == ext.lowercased() }) else { return nil }
        self = f
    }
}

/// One `-o` value, resolved before anything runs (docs/analyze.md, "Output rules"):
/// `-` is standard output; a value ending in `/`, or naming an existing folder, is a folder
/// (created if missing) that gets one file per input; anything else is a file whose extension
/// names its format — `.json`, `.csv` or `.txt` (a table); another extension is a usage error.
enum OutputTarget: Equatable {
    case standardOutput
    case file(String, OutputFormat)
    case folder(String)

    /// - Parameters:
    ///   - option: the flag, for messages (`-o`).
    ///   - formats: the formats this command writes (a policy is JSON only).
    ///   - allowFolder: whether the command writes one file per input into a folder.
    init(_ value: String, option: String = "-o", formats: [OutputFormat] = OutputFormat.allCases, allowFolder: Bool) throws {
        if value == StandardStreams.name { self = .standardOutput; return }
        guard !value.isEmpty else { throw ValidationError("\(option) '': give a file, '-' for standard output\(allowFolder ? " or a folder ending in '/'" : "")") }
        if value.hasSuffix("/") || isDirectory(value) {
            guard allowFolder else {
                throw ValidationError("\(option) '\(value)' is a folder; this command writes one file: give FILE.\(formats.map(\.fileExtension).joined(separator: "|")) or '-'")
            }
            self = .folder(value.hasSuffix("/") && value.count > 1 ? String(value.dropLast()) : value)
            return
        }
        let ext = URL(fileURLWithPath: value).pathExtension
        guard let format = OutputFormat(fileExtension: ext), formats.contains(format) else {
            let known = formats.map { "." + $0.fileExtension }.joined(separator: ", ")
            throw ValidationError("\(option) '\(value)': \(ext.isEmpty ? "no extension" : "unknown extension '.\(ext)'"); use \(known), '-' for standard output\(allowFolder ? ", or a folder ending in '/'" : "")")
        }
        self = .file(value, format)
    }

    /// The path written (nil for standard output).
    var path: String? {
        switch self {
        case .standardOutput: return nil
        case let .file(p, _), let .folder(p): return p
        }
    }
}

/// Standard input and output as `-` on the command line.
enum StandardStreams {
    static let name = "-"
    /// The most standard input read as one document (an analysis of a very large model is
    /// tens of megabytes).
    static let maximumInputBytes = 1 << 30

    /// Reads standard input to its end.
    /// - Throws: `OutputError` naming standard input when it exceeds `maximumInputBytes`.
    static func readInput() throws -> Data {
        var data = Data()
        let handle = FileHandle.standardInput
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            data.append(chunk)
            if data.count > maximumInputBytes {
                throw OutputError(file: "standard input", problem: "more than \(maximumInputBytes >> 20) MiB; give a file instead")
            }
        }
        return data
    }

    /// Writes `text` to standard output as it is.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// The bytes of the analysis JSON at `path`, or of standard input when `path` is `-`.
func analysisInputData(_ path: String) throws -> Data {
    if path == StandardStreams.name { return try StandardStreams.readInput() }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw AnalysisError.invalidAnalysisFile(file: path, problem: "cannot read the file")
    }
    return data
}

/// The analysis JSON at `path`, or on standard input when `path` is `-`.
func loadAnalysisReport(_ path: String) throws -> AnalysisReport {
    path == StandardStreams.name ? try AnalysisReport.decode(try StandardStreams.readInput(), source: "standard input")
                                 : try AnalysisReport.load(path)
}

/// Checks that at most one input is standard input (it can be read once).
func checkOneStandardInput(_ inputs: [String?]) throws {
    if inputs.filter({ $0 == StandardStreams.name }).count > 1 {
        throw ValidationError("'-' (standard input) can be given once; save the other analyses to files")
    }
}
