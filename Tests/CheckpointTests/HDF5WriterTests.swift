import Foundation
import Testing
@testable import Checkpoint

@Suite struct HDF5WriterTests {
    /// Datasets written block by block (chunked + gzip) and whole read back through
    /// `Checkpoint.open` with their shapes, values and root attributes; row ranges read only
    /// the requested samples.
    @Test func roundTripThroughCheckpointOpen() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/data.h5"
        let values = (0..<(5 * 3 * 4)).map { Float($0) * 0.5 - 7 }
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("tensor", shape: [5, 3, 4], chunk: [1, 3, 4], compressionLevel: 4)
        for s in [4, 0, 2, 1, 3] {    // any order
            try writer.write("tensor", block: Array(values[(s * 12)..<((s + 1) * 12)]), start: [s, 0, 0])
        }
        try writer.writeDataset("x-coordinate", shape: [4], values: [0, 0.25, 0.5, 0.75])
        try writer.setAttribute("generator", "htsr test")
        try writer.setAttribute("parameters", "{\"nu\": 0.01, \"note\": \"é\"}")
        try writer.setAttribute("units", "none", on: "tensor")
        #expect(!FileManager.default.fileExists(atPath: path))   // nothing visible before commit
        try writer.commit()

        let c = try Checkpoint.open(path)
        #expect(c.format == .hdf5)
        #expect(c.metadata["generator"] == "htsr test")
        #expect(c.metadata["parameters"] == "{\"nu\": 0.01, \"note\": \"é\"}")
        let t = try #require(c.tensor(named: "tensor"))
        #expect(t.shape == [5, 3, 4] && t.dtype == .F32)
        #expect(try c.readFloats(t) == values)
        #expect(try c.readFloats(t, rows: 1..<3) == Array(values[12..<36]))
        #expect(try c.readFloats(t, rows: 4..<4) == [])
        #expect(try c.readFloats(try #require(c.tensor(named: "x-coordinate"))) == [0, 0.25, 0.5, 0.75])
        #expect(checkpointError { _ = try c.readFloats(t, rows: 3..<6) }?.kind == .shapeMismatch)
        #expect(try folderContents(folder) == ["data.h5"])
    }

    /// Without a commit nothing is left behind and an existing file stays as it was.
    @Test func abortLeavesNoFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/data.h5"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let writer = try HDF5Writer(path: path)
            try writer.createDataset("a", shape: [2])
        }   // released without commit
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("b", shape: [2])
        writer.abort()
        #expect(try folderContents(folder) == ["data.h5"])
        #expect(FileManager.default.contents(atPath: path) == Data("old".utf8))
        #expect(checkpointError { try writer.commit() }?.kind == .io)
    }

    @Test func invalidRequestsThrowTypedErrors() throws {
        #expect(checkpointError { _ = try HDF5Writer(path: "/nonexistent-folder/x.h5") }?.kind == .io)
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try HDF5Writer(path: folder + "/x.h5")
        try writer.createDataset("d", shape: [3, 2], chunk: [1, 2], compressionLevel: 1)
        #expect(checkpointError { try writer.createDataset("d", shape: [1]) }?.kind == .duplicateTensor)
        #expect(checkpointError { try writer.createDataset("e", shape: [2], chunk: [3]) }?.kind == .shapeMismatch)
        #expect(checkpointError { try writer.createDataset("f", shape: [2], compressionLevel: 5) }?.kind == .shapeMismatch)
        #expect(checkpointError { try writer.write("d", block: [1, 2, 3], start: [0, 0]) }?.kind == .shapeMismatch)
        #expect(checkpointError { try writer.write("d", block: [1, 2, 3, 4], start: [2, 0]) }?.kind == .shapeMismatch)
        #expect(checkpointError { try writer.write("nope", block: [1], start: [0]) }?.kind == .notFound)
        #expect(checkpointError { try writer.setAttribute("a", "b", on: "nope") }?.kind == .notFound)
        #expect(checkpointError { try writer.createDataset("missing/group/d", shape: [1]) }?.kind == .hdf5)
        writer.abort()
    }

    private func folderContents(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }
}
