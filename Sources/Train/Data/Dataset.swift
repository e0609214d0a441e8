import Random
import Settings

/// A classification data set in memory: rows of `inputs` features in [0, 1] and labels in
/// 0..<classes, split into a training pool and a held-out test split that never changes.
public struct Dataset: Sendable {
    public var name: String
    public var inputs: Int
    public var classes: Int
    public var trainX: [Float]
    public var trainY: [Int32]
    public var testX: [Float]
    public var testY: [Int32]

    public var trainCount: Int { trainY.count }
    public var testCount: Int { testY.count }

    public init(name: String, inputs: Int, classes: Int, trainX: [Float], trainY: [Int32], testX: [Float], testY: [Int32]) {
        self.name = name; self.inputs = inputs; self.classes = classes
        self.trainX = trainX; self.trainY = trainY; self.testX = testX; self.testY = testY
    }

    /// A seeded, class-stratified subset of the training pool (the test split is unchanged).
    ///
    /// `ratio`: each class keeps max(1, round(ratio · n_c)) of its n_c examples; `perClass`:
    /// each class keeps min(K, n_c). The examples are drawn by a seeded permutation per class
    /// and kept in pool order.
    public func subsample(ratio: Double? = nil, perClass: Int? = nil, seed: UInt64) throws -> Dataset {
        if ratio == nil && perClass == nil { return self }
        try TrainConfig.Limits.trainRatio.check(ratio, "train_ratio")
        try TrainConfig.Limits.count.check(perClass, "per_class")
        var rng = SeededRNG(seed: seed, stream: .subsample)
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, y) in trainY.enumerated() { byClass[Int(y)].append(i) }
        var keep: [Int] = []
        for members in byClass where !members.isEmpty {
            var n = members.count
            if let r = ratio { n = max(1, Int((r * Double(members.count)).rounded())) }
            if let k = perClass { n = min(n, k) }
            let perm = rng.permutation(members.count)
            keep += perm.prefix(n).map { members[$0] }
        }
        keep.sort()
        var out = self
        out.trainX = []
        out.trainX.reserveCapacity(keep.count * inputs)
        for i in keep { out.trainX += trainX[(i * inputs)..<((i + 1) * inputs)] }
        out.trainY = keep.map { trainY[$0] }
        return out
    }
}
