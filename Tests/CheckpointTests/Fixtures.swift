import Foundation
import Testing
@testable import Checkpoint

/// Paths of and expectations for the files written by `Scripts/make-fixtures.py`.
enum Fixtures {
    /// `fixtures/<folder>` of this repository.
    static func folder(_ name: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("fixtures/" + name).path
    }

    /// `fixtures/checkpoints` of this repository.
    static let root = folder("checkpoints")

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// One tensor as `expected.json` describes it.
    struct Tensor {
        let name: String
        let dtype: String
        let shape: [Int]
        let layout: String
        let file: String
        let values: [Double]
    }

    /// One fixture as `expected.json` describes it.
    struct Expected {
        let format: String
        let metadata: [String: String]
        let tensors: [Tensor]
    }

    /// `expected.json`, parsed on each use (a stored `[String: Any]` would not be `Sendable`).
    private static var document: [String: Any] {
        let data = FileManager.default.contents(atPath: path("expected.json"))!
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The expectations for fixture `key` (a path relative to `root`).
    static func expected(_ key: String) -> Expected {
        let f = (document["fixtures"] as! [String: Any])[key] as! [String: Any]
        let tensors = (f["tensors"] as! [[String: Any]]).map { t in
            Tensor(name: t["name"] as! String, dtype: t["dtype"] as! String, shape: t["shape"] as! [Int],
                   layout: t["layout"] as! String, file: t["file"] as! String,
                   values: (t["values"] as! [String]).map { Double($0)! })
        }
        return Expected(format: f["format"] as! String, metadata: f["metadata"] as! [String: String], tensors: tensors)
    }

    /// The fixture keys of `expected.json`.
    static var fixtureKeys: [String] { (document["fixtures"] as! [String: Any]).keys.sorted() }

    /// The malformed fixtures and the error kind each must raise, from `expected.json`.
    static var badKinds: [String: String] { document["bad"] as! [String: String] }
}

/// Whether two arrays hold the same values bit for bit, any NaN matching any NaN.
func sameBits<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in (x.isNaN && y.isNaN) || (x == y && x.sign == y.sign) }
}

/// A fresh empty temporary folder.
func makeTemporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("htsr-ckpt-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `body` and returns the `CheckpointError` it throws (recording an issue if it does not).
func checkpointError(_ body: () throws -> Void) -> CheckpointError? {
    do {
        try body()
        Issue.record("expected a CheckpointError, nothing was thrown")
    } catch let e as CheckpointError {
        return e
    } catch {
        Issue.record("expected a CheckpointError, got \(error)")
    }
    return nil
}
