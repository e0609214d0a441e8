/// Labelled texts for classification: `labels[i]` is the class id of `texts[i]` (and of
/// `secondTexts[i]` for sentence pairs), an index into `classNames`.
public struct TextDataset: Sendable, Equatable {
    public var texts: [String]
    /// The second text of each sentence pair, or nil for single texts.
    public var secondTexts: [String]?
    public var labels: [Int]
    /// Class names in class-id order (see `ClassNames.ordered`).
    public var classNames: [String]

    public init(texts: [String], secondTexts: [String]? = nil, labels: [Int], classNames: [String]) {
        precondition(texts.count == labels.count && (secondTexts?.count ?? texts.count) == texts.count, "dataset arrays differ in length")
        precondition(labels.allSatisfy { (0..<classNames.count).contains($0) }, "a label outside the classes")
        self.texts = texts
        self.secondTexts = secondTexts
        self.labels = labels
        self.classNames = classNames
    }

    public var count: Int { texts.count }
    public var classCount: Int { classNames.count }

    /// Examples per class, in class-id order.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for l in labels { counts[l] += 1 }
        return counts
    }

    /// The examples at `indices`, in that order, with the same classes.
    public func subset(_ indices: [Int]) -> TextDataset {
        TextDataset(texts: indices.map { texts[$0] }, secondTexts: secondTexts.map { s in indices.map { s[$0] } },
                    labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// Class ids for the labels of one or more files that share classes (a training and a test
    /// file): the classes are every distinct label of all of them, in `ClassNames.ordered` order.
    ///
    /// - Throws: `TextError(.unusableData)` when there are fewer than two classes.
    public static func classify(_ parts: [LabeledTexts]) throws -> [TextDataset] {
        let names = ClassNames.ordered(parts.flatMap(\.labels))
        guard names.count >= 2 else {
            throw TextError(.unusableData, file: parts.map(\.source).joined(separator: ", "),
                            message: names.isEmpty ? "no examples" : "every example has the label \(names[0]); classification needs at least two classes")
        }
        var id: [[UInt32]: Int] = [:]
        for (i, n) in names.enumerated() { id[n.unicodeScalars.map(\.value)] = i }
        return parts.map { p in
            TextDataset(texts: p.texts, secondTexts: p.secondTexts, labels: p.labels.map { id[$0.unicodeScalars.map(\.value)]! }, classNames: names)
        }
    }
}

/// The order of class ids.
public enum ClassNames {
    /// Distinct labels in class-id order: by numeric value when every label is an integer written in
    /// decimal (`-3`, `0`, `12`; ties such as `1` and `01` by text), otherwise by Unicode scalar
    /// values (code-point order, so `B` < `a` < `é`). Labels are compared scalar by scalar: `é`
    /// precomposed and `e` + U+0301 are two classes, as in Python.
    public static func ordered(_ labels: [String]) -> [String] {
        var seen = Set<[UInt32]>()
        var distinct: [(scalars: [UInt32], text: String)] = []
        for l in labels {
            let s = l.unicodeScalars.map(\.value)
            if seen.insert(s).inserted { distinct.append((s, l)) }
        }
        let integers = distinct.map { integerValue($0.scalars) }
        if integers.allSatisfy({ $0 != nil }) {
            return zip(distinct, integers).sorted { a, b in
                a.1! != b.1! ? a.1! < b.1! : a.0.scalars.lexicographicallyPrecedes(b.0.scalars)
            }.map(\.0.text)
        }
        return distinct.sorted { $0.scalars.lexicographicallyPrecedes($1.scalars) }.map(\.text)
    }

    /// The value of an optionally negative decimal integer literal that fits an Int, else nil.
    private static func integerValue(_ s: [UInt32]) -> Int? {
        let digits = s.first == 45 ? s.dropFirst() : s[...]
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let v = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        return s.first == 45 ? -v : v
    }
}
