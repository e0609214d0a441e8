/// Why a tokenizer, a data file or a data set could not be loaded or used.
///
/// `file` names the file at fault (or the data set, for problems of a whole set); `description` is
/// one line: `"<file>: <message>"` (with `line N: ` when a line is known). Libraries report fields
/// and values; only the command line turns them into flag names.
public struct TextError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file or folder does not exist or cannot be read.
        case notFound
        /// A tokenizer file is malformed: a missing field, a wrong type, an impossible value.
        case malformedTokenizer
        /// A tokenizer file uses a component this tokenizer does not implement.
        case unsupportedTokenizer
        /// Bytes that are not valid in the file's encoding.
        case undecodable
        /// A CSV/TSV/JSONL/.tab file that cannot be parsed (ragged row, unterminated quote, bad JSON).
        case malformedData
        /// A column or field the caller asked for is not in the file.
        case missingColumn
        /// A data set that cannot be used as asked (empty, one class, a split too small).
        case unusableData
        /// An argument out of range (a maximum length below the special tokens, a negative count).
        case invalidArgument
        /// A system call failed.
        case io
    }

    public let kind: Kind
    public let file: String
    /// The 1-based line of the file, when the problem has one.
    public let line: Int?
    public let message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        if let line { return "\(file): line \(line): \(message)" }
        return "\(file): \(message)"
    }
}
