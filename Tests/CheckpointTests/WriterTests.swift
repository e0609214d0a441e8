import Foundation
import Testing
@testable import Checkpoint

@Suite struct WriterTests {
    private func bytes(of path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }
    private func folderContents(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func roundTripKeepsOrderValuesAndMetadata() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        let tensors = [
            WritableTensor(name: "z.weight", shape: [2, 3], floats: [1, -2, 3.5, 0, -0.0, .infinity]),
            WritableTensor(name: "a.bias", shape: [3], doubles: [.pi, -1e300, .leastNonzeroMagnitude]),
            WritableTensor(name: "m.ids", dtype: .I16, shape: [2], bytes: [0xFF, 0xFF, 0x02, 0x00]),
            WritableTensor(name: "scalar", shape: [], floats: [7]),
            WritableTensor(name: "empty", shape: [0, 4], floats: []),
            WritableTensor(name: "naïve \"quoted\"\n", dtype: .U8, shape: [1], bytes: [9]),
        ]
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt", "note": "é\t\"x\""], to: path)

        let checkpoint = try Checkpoint.open(path)
        #expect(checkpoint.format == .safetensors)
        #expect(checkpoint.metadata == ["format": "pt", "note": "é\t\"x\""])
        #expect(checkpoint.tensors.map(\.name) == tensors.map(\.name))
        #expect(checkpoint.tensors.map(\.shape) == tensors.map(\.shape))
        #expect(checkpoint.tensors.map(\.dtype) == tensors.map(\.dtype))
        #expect(sameBits(try checkpoint.readDoubles(checkpoint.tensors[0]), [1, -2, 3.5, 0, -0.0, .infinity]))
        #expect(sameBits(try checkpoint.readDoubles(checkpoint.tensors[1]), [.pi, -1e300, .leastNonzeroMagnitude]))
        #expect(try checkpoint.readDoubles(checkpoint.tensors[2]) == [-1, 2])
        #expect(try checkpoint.readFloats(checkpoint.tensors[3]) == [7])
        #expect(try checkpoint.readDoubles(checkpoint.tensors[4]) == [])
        #expect(try checkpoint.readDoubles(checkpoint.tensors[5]) == [9])

        let raw = bytes(of: path)
        let headerLength = raw.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(raw.count == 8 + headerLength + 24 + 24 + 4 + 4 + 0 + 1)
        #expect(try folderContents(folder) == ["model.safetensors"])   // no temporary file left
    }

    /// The byte layout of the reference implementation's own tests
    /// (`test_serialization_forced_alignement` and `test_empty` of the safetensors crate).
    @Test func bytesMatchTheReferenceLayout() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/ref.safetensors"
        try SafetensorsWriter.write([WritableTensor(name: "attn0", shape: [1, 1, 2, 3], floats: [0, 1, 2, 3, 4, 5])],
                                   metadata: [:], to: path)
        let header = Array(#"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}"#.utf8) + Array(repeating: 0x20, count: 7)
        let data: [UInt8] = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]
        #expect(bytes(of: path) == [72, 0, 0, 0, 0, 0, 0, 0] + header + data)

        try SafetensorsWriter.write([], metadata: [:], to: path)
        #expect(bytes(of: path) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        try SafetensorsWriter.write([], metadata: ["framework": "pt"], to: path)
        #expect(bytes(of: path) == [40, 0, 0, 0, 0, 0, 0, 0] + Array(#"{"__metadata__":{"framework":"pt"}}"#.utf8) + [32, 32, 32, 32, 32])
        #expect(try Checkpoint.open(path).tensors.isEmpty)
    }

    @Test func invalidTensorsLeaveNoFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.safetensors"
        let cases: [([WritableTensor], CheckpointError.Kind)] = [
            ([WritableTensor(name: "w", dtype: .F32, shape: [3], bytes: [0, 0, 0, 0])], .shapeMismatch),
            ([WritableTensor(name: "w", dtype: .F32, shape: [-1], bytes: [])], .shapeMismatch),
            ([WritableTensor(name: "w", shape: [1], floats: [1]), WritableTensor(name: "w", shape: [1], floats: [2])], .duplicateTensor),
            ([WritableTensor(name: "__metadata__", shape: [1], floats: [1])], .invalidHeader),
        ]
        for (tensors, kind) in cases {
            let error = checkpointError { try SafetensorsWriter.write(tensors, metadata: [:], to: path) }
            #expect(error?.kind == kind)
            #expect(error?.description.contains("out.safetensors") == true)
            #expect(try folderContents(folder) == [])
        }
    }

    @Test func failedWriteKeepsThePreviousFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/keep.safetensors"
        try SafetensorsWriter.write([WritableTensor(name: "w", shape: [1], floats: [1])], metadata: [:], to: path)
        let before = bytes(of: path)
        _ = checkpointError {
            try SafetensorsWriter.write([WritableTensor(name: "w", dtype: .F64, shape: [2], bytes: [1])], metadata: [:], to: path)
        }
        #expect(bytes(of: path) == before)
        #expect(try folderContents(folder) == ["keep.safetensors"])
    }

    @Test func unwritableFolderIsIO() {
        let error = checkpointError {
            try SafetensorsWriter.write([], metadata: [:], to: "/nonexistent-htsr-folder/x.safetensors")
        }
        #expect(error?.kind == .io)
        #expect(error?.description.contains("x.safetensors") == true)
    }

    @Test func renameOntoAFolderFailsWithoutLeftovers() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/taken", withIntermediateDirectories: false)
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/taken/inside"))
        let error = checkpointError { try SafetensorsWriter.write([], metadata: [:], to: folder + "/taken") }
        #expect(error?.kind == .io)
        #expect(try folderContents(folder) == ["taken"])
    }
}
