/// The validation split of a classification data set, carved from its training pool.
public struct ValidationSplit: Sendable {
    public var x: [Float]
    public var y: [Int32]
    public var count: Int { y.count }
}

extension Dataset {
    /// The last `perClass` examples of each class of the training pool (in file order: fixed,
    /// independent of any seed) as a validation split, and the pool without them.
    /// `perClass` 0 gives an empty split and the pool unchanged.
    /// - Throws: `TrainError.invalidOption` when a class would keep no training example.
    public func holdingOutValidation(perClass k: Int) throws -> (pool: Dataset, validation: ValidationSplit) {
        guard k > 0 else { return (self, ValidationSplit(x: [], y: [])) }
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, c) in trainY.enumerated() { byClass[Int(c)].append(i) }
        var held = [Bool](repeating: false, count: trainY.count)
        for (c, members) in byClass.enumerated() where !members.isEmpty {
            guard members.count > k else {
                throw TrainError.invalidOption("--validation-per-class \(k) leaves no training example of class \(c) (\(members.count) in the pool)")
            }
            for i in members.suffix(k) { held[i] = true }
        }
        var pool = self
        pool.trainX = []
        pool.trainY = []
        var v = ValidationSplit(x: [], y: [])
        for i in trainY.indices {
            let row = trainX[(i * inputs)..<((i + 1) * inputs)]
            if held[i] { v.x += row; v.y.append(trainY[i]) } else { pool.trainX += row; pool.trainY.append(trainY[i]) }
        }
        return (pool, v)
    }
}
