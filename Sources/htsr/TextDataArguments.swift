import ArgumentParser
import Foundation
import Text
import Train
import Transformer
import Random
import Settings

/// Which text-classification data a command reads and how it is split: a built-in set or a user's
/// file, the training subset (`--train-count` / `--train-ratio`, stratified and seeded), the fixed
/// validation split drawn from the rest of the training pool, and the untouched test split.
struct TextDataArguments: ParsableArguments {
    @Option(help: "r8, tweets, 20ng (built in; Scripts/setup fetches them), or a FILE.csv, .tsv or .jsonl with text and label columns.")
    var data: String

    @Option(help: "Folder of the built-in sets.")
    var dataDir: String = BuiltinTextData.defaultFolder

    @Option(help: "With a data file: the test set's file (otherwise a fixed 20 % hold-out of the file).")
    var testFile: String?

    @Option(help: "With a data file: the column (or JSON key) of the text.")
    var textColumn: String = "text"

    @Option(help: "With a data file: the column of the second text of sentence pairs.")
    var secondTextColumn: String?

    @Option(help: "With a data file: the column of the label (any string).")
    var labelColumn: String = "label"

    @Option(help: "With a data file: utf8 or latin1.")
    var encoding: TextEncoding = .utf8

    @Option(help: "Train on N examples of the training pool (stratified, seeded); \(LowDataSplits.Limits.count).")
    var trainCount: Int?

    @Option(help: "Train on this fraction of the pool left after validation (stratified, seeded); \(LowDataSplits.Limits.trainRatio).")
    var trainRatio: Double?

    @Option(help: "Validation examples set aside from the training pool (fixed, whatever the seed); \(LowDataSplits.Limits.count).")
    var validationCount: Int?

    @Option(help: "Validation share of the training pool (default \(defaultValidationRatio)); \(LowDataSplits.Limits.validationRatio).")
    var validationRatio: Double?

    private static var defaultValidationRatio: String {
        if case let .ratio(r) = LowDataSplits.defaultValidation { return formatSetting(r) }
        return "none"
    }

    var builtin: BuiltinTextData? { BuiltinTextData(rawValue: data) }

    /// For logs: the set's name, or the file.
    var description: String { data }

    func validate() throws {
        if builtin == nil, TextFileFormat(path: data) == nil {
            throw ValidationError("--data must be r8, tweets, 20ng or a .csv, .tsv or .jsonl file; got '\(data)'")
        }
        if builtin != nil, testFile != nil { throw ValidationError("--test-file is for a data file; the built-in sets have their test split") }
        if trainCount != nil && trainRatio != nil { throw ValidationError("give --train-count or --train-ratio, not both") }
        if validationCount != nil && validationRatio != nil { throw ValidationError("give --validation-count or --validation-ratio, not both") }
        try validated { try LowDataSplits.check(train: trainSize, validation: validationSize) }
    }

    var trainSize: TrainSize { trainCount.map { .count($0) } ?? trainRatio.map { .ratio($0) } ?? .all }
    var validationSize: ValidationSize {
        validationCount.map { .count($0) } ?? validationRatio.map { .ratio($0) } ?? LowDataSplits.defaultValidation
    }

    /// The files this reads (a data file and its test file; a built-in set's folder).
    func inputs(_ inputs: inout CommandInputs) {
        if builtin != nil { inputs.folder(dataDir) } else { inputs.file(data); inputs.file(testFile) }
    }

    /// Reads the data, draws the subsets (seeded: `RandomStream.subsample`) and tokenizes them.
    func encodedSplits(tokenizer: BertTokenizer, maxLength: Int, seed: UInt64) throws -> EncodedSplits {
        let splits: TextSplits
        if let builtin {
            splits = try builtin.load(folder: dataDir)
        } else {
            splits = try TextSplits.load(file: data, testFile: testFile,
                                         columns: TextColumns(text: textColumn, label: labelColumn, secondText: secondTextColumn),
                                         encoding: encoding)
        }
        var rng = SeededRNG(seed: seed, stream: RandomStream.subsample)
        let low = try LowDataSplits(splits, train: trainSize, validation: validationSize, using: &rng)
        func encode(_ d: TextDataset) throws -> [EncodedExample] {
            let e = try EncodedTexts(d, tokenizer: tokenizer, maxLength: maxLength)
            return zip(e.encodings, e.labels).map { EncodedExample(ids: $0.ids, typeIds: $0.typeIDs, label: $1) }
        }
        return EncodedSplits(name: data, classNames: low.train.classNames, train: try encode(low.train),
                             validation: try encode(low.validation), test: try encode(low.test), padId: tokenizer.padID)
    }
}
