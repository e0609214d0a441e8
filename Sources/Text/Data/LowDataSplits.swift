import Checkpoint
import Settings

/// How many training examples to draw.
public enum TrainSize: Sendable, Equatable {
    /// Exactly N examples, stratified (see `LowDataSplits.quotas`).
    case count(Int)
    /// round(r × the examples left after validation), at least one per class.
    case ratio(Double)
    /// Every example left after validation.
    case all
}

/// How many validation examples to set aside from the training pool.
public enum ValidationSize: Sendable, Equatable {
    case count(Int)
    /// round(r × the training pool).
    case ratio(Double)
}

/// Training, validation and test sets for a low-data experiment.
///
/// - validation: fixed — the same examples whatever the seed or the training size — drawn from
///   the training pool stratified in proportion to the classes (largest remainders), each class's
///   examples taken in a fixed hash order (`FixedOrder`, a different salt from the test split).
/// - train: drawn from the rest of the pool with the caller's generator, stratified: every class
///   gets one example, the remaining N − K go in proportion to the class sizes (largest
///   remainders, ties to the lower class id), within each class a uniform sample without
///   replacement.
/// - test: the official test set, untouched.
public struct LowDataSplits: Sendable, Equatable {
    public var train: TextDataset
    public var validation: TextDataset
    public var test: TextDataset
    /// Indices into the training pool of the chosen training / validation examples (sorted).
    public var trainIndices: [Int]
    public var validationIndices: [Int]

    public static let defaultValidation = ValidationSize.ratio(0.1)

    /// The documented ranges of the sizes a caller asks for (a command line's `--train-count`,
    /// `--train-ratio`, `--validation-count`, `--validation-ratio`), checked by `check(train:validation:)`.
    public enum Limits {
        public static let count = SettingRange<Int>(1, 1_000_000_000)
        public static let trainRatio = SettingRange<Double>.positive(upTo: 1)
        /// A share strictly between 0 and 1: the best epoch is chosen on a validation set, and
        /// training needs examples left.
        public static let validationRatio = SettingRange<Double>(0, 1, lowerOpen: true, upperOpen: true)
    }

    /// Checks requested sizes against `Limits` (NaN and ±∞ included) before any data is read.
    /// - Throws: `InvalidSetting` naming `train_count`, `train_ratio`, `validation_count` or `validation_ratio`.
    public static func check(train: TrainSize, validation: ValidationSize) throws {
        switch train {
        case .count(let n): try Limits.count.check(n, "train_count")
        case .ratio(let r): try Limits.trainRatio.check(r, "train_ratio")
        case .all: break
        }
        switch validation {
        case .count(let n): try Limits.count.check(n, "validation_count")
        case .ratio(let r): try Limits.validationRatio.check(r, "validation_ratio")
        }
    }

    /// - Throws: `TextError(.unusableData)` or `.invalidArgument` naming the problem: a size out of
    ///   range, fewer training examples than classes, a class without training examples left.
    public init(_ splits: TextSplits, train size: TrainSize, validation: ValidationSize = defaultValidation,
                using rng: inout some RandomNumberGenerator) throws {
        let pool = splits.train
        let name = "training pool"
        let k = pool.classCount
        // Validation.
        let validationCount: Int
        switch validation {
        case .count(let n):
            guard n >= 0 else { throw TextError(.invalidArgument, file: name, message: "validation count \(n) is negative") }
            validationCount = n
        case .ratio(let r):
            guard r >= 0 && r < 1 else { throw TextError(.invalidArgument, file: name, message: "validation ratio \(r) is not in [0, 1)") }
            validationCount = Int((r * Double(pool.count)).rounded())
        }
        guard validationCount < pool.count else {
            throw TextError(.unusableData, file: name, message: "a validation set of \(validationCount) leaves no training examples out of \(pool.count)")
        }
        let counts = pool.classCounts
        if let empty = counts.firstIndex(of: 0) {
            throw TextError(.unusableData, file: name, message: "class \(JSONText.quoted(pool.classNames[empty])) has no training examples")
        }
        let validationQuotas = Self.proportionalQuotas(total: validationCount, sizes: counts, minimum: 0)
        let validationIndices = FixedOrder.stratifiedPrefix(pool, among: Array(pool.labels.indices), quotas: validationQuotas,
                                                            salt: FixedOrder.validationSalt)
        // Training.
        let inValidation = Set(validationIndices)
        let rest = pool.labels.indices.filter { !inValidation.contains($0) }
        var restCounts = [Int](repeating: 0, count: k)
        for i in rest { restCounts[pool.labels[i]] += 1 }
        if let empty = restCounts.firstIndex(of: 0) {
            throw TextError(.unusableData, file: name,
                            message: "class \(JSONText.quoted(pool.classNames[empty])) has no training examples left after validation (it has \(counts[empty]) in all); use a smaller validation set")
        }
        let n: Int
        switch size {
        case .count(let c): n = c
        case .ratio(let r):
            guard r > 0 && r <= 1 else { throw TextError(.invalidArgument, file: name, message: "training ratio \(r) is not in (0, 1]") }
            n = max(k, Int((r * Double(rest.count)).rounded()))
        case .all: n = rest.count
        }
        guard n >= k else {
            throw TextError(.invalidArgument, file: name, message: "\(n) training examples are fewer than the \(k) classes (each class needs one)")
        }
        guard n <= rest.count else {
            throw TextError(.invalidArgument, file: name,
                            message: "\(n) training examples asked for, but only \(rest.count) are left after \(validationIndices.count) for validation")
        }
        let quotas = Self.proportionalQuotas(total: n, sizes: restCounts, minimum: 1)
        var byClass = [[Int]](repeating: [], count: k)
        for i in rest { byClass[pool.labels[i]].append(i) }
        var trainIndices: [Int] = []
        for c in 0..<k {
            trainIndices += Sampling.sample(byClass[c], count: quotas[c], using: &rng)
        }
        trainIndices.sort()

        self.train = pool.subset(trainIndices)
        self.validation = pool.subset(validationIndices)
        self.test = splits.test
        self.trainIndices = trainIndices
        self.validationIndices = validationIndices
    }

    /// A fixed subset of `count` examples of a test split (for experiments that cannot afford the
    /// whole split; say so where the results are reported): stratified in proportion to the classes
    /// (largest remainders), each class's examples in a fixed hash order of their own salt — the same
    /// subset whatever the seed, the training size or the run. Sorted indices; all when count ≥ size.
    public static func fixedTestSubset(_ test: TextDataset, count: Int) -> [Int] {
        guard count < test.count else { return Array(test.labels.indices) }
        let quotas = proportionalQuotas(total: max(0, count), sizes: test.classCounts, minimum: 0)
        return FixedOrder.stratifiedPrefix(test, among: Array(test.labels.indices), quotas: quotas, salt: FixedOrder.testSubsetSalt)
    }

    /// `total` split over classes of `sizes` in proportion, each class at least `minimum` and at most
    /// its size: start from max(minimum, ⌊total·n_c/N⌋), then add to the classes with the largest
    /// remainders (or take from the largest excesses) until the sum is `total`; ties to the lower id.
    /// Requires minimum·K ≤ total ≤ N.
    static func proportionalQuotas(total: Int, sizes: [Int], minimum: Int) -> [Int] {
        let n = sizes.reduce(0, +)
        let ideal = sizes.map { Double(total) * Double($0) / Double(max(n, 1)) }
        var q = zip(sizes, ideal).map { size, x in min(size, max(minimum, Int(x.rounded(.down)))) }
        var sum = q.reduce(0, +)
        while sum < total {
            let c = q.indices.filter { q[$0] < sizes[$0] }.max { ideal[$0] - Double(q[$0]) < ideal[$1] - Double(q[$1]) || (ideal[$0] - Double(q[$0]) == ideal[$1] - Double(q[$1]) && $0 > $1) }!
            q[c] += 1
            sum += 1
        }
        while sum > total {
            let c = q.indices.filter { q[$0] > minimum }.max { Double(q[$0]) - ideal[$0] < Double(q[$1]) - ideal[$1] || (Double(q[$0]) - ideal[$0] == Double(q[$1]) - ideal[$1] && $0 > $1) }!
            q[c] -= 1
            sum -= 1
        }
        return q
    }
}

/// Sampling from any `RandomNumberGenerator` with a fixed use of its stream (so a seeded generator
/// gives the same subsets on every platform and Swift version).
public enum Sampling {
    /// A uniform integer in 0..<n (n ≥ 1) from 64-bit words of `rng`: Lemire's multiply-shift with
    /// rejection, no modulo bias.
    public static func uniform(_ n: Int, using rng: inout some RandomNumberGenerator) -> Int {
        precondition(n >= 1, "empty range")
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let product = rng.next().multipliedFullWidth(by: bound)
            if product.low >= threshold { return Int(product.high) }
        }
    }

    /// `count` elements of `items` drawn uniformly without replacement (a partial Fisher–Yates), in
    /// the order drawn.
    public static func sample<T>(_ items: [T], count: Int, using rng: inout some RandomNumberGenerator) -> [T] {
        precondition(count >= 0 && count <= items.count, "sample larger than the population")
        var a = items
        for i in 0..<count {
            let j = i + uniform(a.count - i, using: &rng)
            a.swapAt(i, j)
        }
        return Array(a.prefix(count))
    }
}
