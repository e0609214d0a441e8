import Foundation
import Testing
import Checkpoint

/// `AtomicFile`: a complete replacement or nothing, and a failure that names the file.
@Suite struct AtomicFileTests {
    @Test func replacesWholeAndLeavesNoTemporaryFile() throws {
        let dir = NSTemporaryDirectory() + "htsr-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("first version, longer", to: dir + "/out.txt")
        try AtomicFile.write("second", to: dir + "/out.txt")
        #expect(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.txt"])
    }

    @Test func failureNamesTheFile() {
        let path = NSTemporaryDirectory() + "htsr-missing-\(UUID().uuidString)/out.csv"
        #expect {
            try AtomicFile.write("x", to: path)
        } throws: { error in
            guard let e = error as? OutputError else { return false }
            return e.file == path && "\(e)".hasPrefix(path + ": cannot write")
        }
    }
}
