/// A training pool and a test set with the same classes. The test set is only for the final
/// evaluation: nothing here draws from it.
public struct TextSplits: Sendable, Equatable {
    public var train: TextDataset
    public var test: TextDataset
    /// How the test set was made, for reports ("official test file", "fixed 20 % hold-out ...").
    public var testOrigin: String

    public init(train: TextDataset, test: TextDataset, testOrigin: String) {
        precondition(train.classNames == test.classNames, "train and test classes differ")
        self.train = train
        self.test = test
        self.testOrigin = testOrigin
    }

    public var classNames: [String] { train.classNames }

    /// The default share of a single file held out as the test set.
    public static let defaultTestFraction = 0.2

    /// Splits one data set into a training pool and a fixed test set: in every class, the
    /// examples sorted by `FixedOrder` (a hash of the text, so identical texts stay on one side)
    /// and the first `round(fraction × n)` taken for the test. Fixed forever: no seed, no
    /// dependence on file order; a class with one example keeps it for training.
    ///
    /// - Throws: `TextError(.unusableData)` when the test set or the pool would be empty.
    public static func holdOut(_ data: TextDataset, testFraction: Double = defaultTestFraction, source: String) throws -> TextSplits {
        guard testFraction > 0 && testFraction < 1 else {
            throw TextError(.invalidArgument, file: source, message: "test fraction \(testFraction) is not between 0 and 1")
        }
        let test = FixedOrder.stratifiedPrefix(data, fraction: testFraction, salt: FixedOrder.testSalt)
        let inTest = Set(test)
        let train = data.labels.indices.filter { !inTest.contains($0) }
        guard !test.isEmpty, !train.isEmpty else {
            throw TextError(.unusableData, file: source, message: "\(data.count) examples are too few to hold out a test set")
        }
        return TextSplits(train: data.subset(train), test: data.subset(test),
                          testOrigin: "fixed \(Int((testFraction * 100).rounded())) % stratified hold-out (hash of the text)")
    }

    /// A user's data file: with `testFile`, that file is the test set (classes shared); without,
    /// a fixed hold-out (`holdOut`).
    public static func load(file: String, testFile: String? = nil, columns: TextColumns = TextColumns(),
                            encoding: TextEncoding = .utf8, testFraction: Double = defaultTestFraction) throws -> TextSplits {
        let train = try LabeledTexts.read(file: file, columns: columns, encoding: encoding)
        if let testFile {
            let test = try LabeledTexts.read(file: testFile, columns: columns, encoding: encoding)
            let sets = try TextDataset.classify([train, test])
            return TextSplits(train: sets[0], test: sets[1], testOrigin: "test file \(testFile)")
        }
        return try holdOut(try TextDataset.classify([train])[0], testFraction: testFraction, source: file)
    }
}

/// The fixed orders the splits use: FNV-1a-64 of the UTF-8 bytes of a salt, the text, a unit
/// separator and the second text; ties by position. Independent of seeds and generators.
enum FixedOrder {
    static let testSalt = "htsr test split\u{1F}"
    static let validationSalt = "htsr validation split\u{1F}"
    static let testSubsetSalt = "htsr test subset\u{1F}"

    static func hash(_ salt: String, _ text: String, _ second: String?) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ s: String) { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
        feed(salt)
        feed(text)
        if let second { feed("\u{1F}"); feed(second) }
        return h
    }

    /// In each class, the first `round(fraction × n_c)` examples of the fixed order; sorted indices.
    static func stratifiedPrefix(_ data: TextDataset, fraction: Double, salt: String) -> [Int] {
        var byClass = [[Int]](repeating: [], count: data.classCount)
        for (i, l) in data.labels.enumerated() { byClass[l].append(i) }
        var chosen: [Int] = []
        for members in byClass {
            let keyed = members.map { (hash(salt, data.texts[$0], data.secondTexts?[$0]), $0) }.sorted { $0 < $1 }
            let k = Int((fraction * Double(members.count)).rounded())
            chosen += keyed.prefix(k).map(\.1)
        }
        return chosen.sorted()
    }

    /// In each class, the first `quota[c]` examples of the fixed order; sorted indices.
    static func stratifiedPrefix(_ data: TextDataset, among pool: [Int], quotas: [Int], salt: String) -> [Int] {
        var byClass = [[Int]](repeating: [], count: data.classCount)
        for i in pool { byClass[data.labels[i]].append(i) }
        var chosen: [Int] = []
        for (c, members) in byClass.enumerated() {
            let keyed = members.map { (hash(salt, data.texts[$0], data.secondTexts?[$0]), $0) }.sorted { $0 < $1 }
            chosen += keyed.prefix(quotas[c]).map(\.1)
        }
        return chosen.sorted()
    }
}
