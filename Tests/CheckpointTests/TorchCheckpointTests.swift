import Foundation
import Testing
@testable import Checkpoint

/// `fixtures/formats/<name>` of this repository (written by the `Scripts/make-*-fixtures.py` scripts).
func formatFixture(_ relative: String) -> String {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("fixtures/formats/" + relative).path
}

/// `fixtures/formats/torch/expected.json`: what torch itself says the state dict holds.
private struct ExpectedTorchTensor {
    let name: String
    let dtype: String
    let shape: [Int]
    let values: [Double]

    static let all: [ExpectedTorchTensor] = {
        let data = FileManager.default.contents(atPath: formatFixture("torch/expected.json"))!
        let doc = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (doc["tensors"] as! [[String: Any]]).map {
            ExpectedTorchTensor(name: $0["name"] as! String, dtype: $0["dtype"] as! String, shape: $0["shape"] as! [Int],
                                values: ($0["values"] as! [String]).map { Double($0)! })
        }
    }()
}

@Suite struct TorchCheckpointTests {
    /// Every tensor of a real `torch.save` state dict, in pickle order, equals torch's own values
    /// bit for bit: dtypes F32/F64/F16/BF16/I64/I8/U8/BOOL, a transposed view, two views of one
    /// shared storage (one at an offset), a strided slice and an empty tensor.
    @Test(arguments: ["torch/state_dict.bin", "torch/checkpoint.pt", "torch/nested.pth", "torch/hf-bin",
                      "torch/sharded", "torch/sharded/pytorch_model.bin.index.json"])
    func readsWhatTorchWrote(_ fixture: String) throws {
        let checkpoint = try Checkpoint.open(formatFixture(fixture))
        let expected = ExpectedTorchTensor.all
        #expect(checkpoint.format == (fixture.hasPrefix("torch/sharded") ? .pytorchSharded : .pytorch))
        #expect(checkpoint.tensors.map(\.name) == expected.map(\.name))
        for (t, e) in zip(checkpoint.tensors, expected) {
            #expect(t.dtype.rawValue == e.dtype, "\(t.name)")
            #expect(t.shape == e.shape, "\(t.name)")
            #expect(t.layout == .pytorch)
            let values = try checkpoint.readDoubles(t)
            #expect(sameBits(values, e.values), "\(t.name)")
            // Streaming in blocks gives the same values.
            var streamed: [Double] = []
            try checkpoint.forEachBlock(t, elementsPerBlock: 7) { streamed += $0 }
            #expect(sameBits(streamed, e.values), "\(t.name) streamed")
            if t.shape.count == 2, t.shape[0] >= 3 {
                let rows = try checkpoint.readFloats(t, rows: 1..<3)
                let cols = t.shape[1]
                #expect(rows == e.values[cols..<(3 * cols)].map { Float($0) }, "\(t.name) rows")
            }
        }
    }

    @Test func legacyFilesAreRefusedWithAClearMessage() {
        let e = checkpointError { _ = try Checkpoint.open(formatFixture("torch/legacy.pt")) }
        #expect(e?.kind == .notACheckpoint)
        #expect(e?.message.contains("legacy PyTorch file") == true)
    }

    /// The older fixture made without torch: a deflated data.pkl is inflated (and equals the stored one).
    @Test func deflatedEntriesAreInflated() throws {
        let stored = try TorchFile.load(Fixtures.path("../torch/views.pt"))
        let deflated = try TorchFile.load(Fixtures.path("../torch/deflated.pt"))
        #expect(stored == deflated)
    }
}

/// The pickle machine executes nothing and accepts only PyTorch's globals and opcodes.
@Suite struct PickleWhitelistTests {
    func run(_ bytes: [UInt8]) -> CheckpointError? {
        var m = PickleMachine(file: "f", bytes: bytes)
        defer { m.release() }
        return checkpointError { _ = try m.run() }
    }

    @Test func globalsOutsideTheWhitelistAreNamed() {
        // cos\nsystem\n(S'echo pwned'\ntR.  — the classic os.system reduce (protocol 0 text).
        let system = Array("cos\nsystem\n".utf8) + [0x28] + [0x8C, 10] + Array("echo pwned".utf8) + [0x74, 0x52, 0x2E]
        let e = run(system)
        #expect(e?.kind == .disallowedGlobal)
        #expect(e?.message.contains("'os.system'") == true)
        let eval = [0x80, 0x04, 0x8C, 0x08] + Array("builtins".utf8) + [0x8C, 0x04] + Array("eval".utf8) + [0x93, 0x2E]
        #expect(run(eval)?.message.contains("'builtins.eval'") == true)
        // A whitelisted class that is not callable: torch.FloatStorage(...) is refused.
        let storageCall = Array("ctorch\nFloatStorage\n".utf8) + [0x29, 0x52, 0x2E]
        #expect(run(storageCall)?.kind == .disallowedGlobal)
    }

    @Test func opcodesOutsideTheSetAreNamed() {
        #expect(run([0x80, 0x02, 0xFF])?.message.contains("opcode 0xFF") == true)
        #expect(run(Array("(ios\nsystem\n.".utf8))?.message.contains("INST") == true)
        #expect(run([0x80, 0x02, 0x82, 0x01, 0x2E])?.message.contains("EXT1") == true)
        #expect(run([0x80, 0x02, 0x7D])?.message.contains("without STOP") == true)
        #expect(run([0x80, 0x02, 0x86, 0x2E])?.kind == .invalidHeader)
    }

    /// Lengths are checked before allocation; nesting is bounded; memo cycles terminate.
    @Test func hostileStructures() throws {
        // BINUNICODE8 claiming 2^63 bytes.
        #expect(run([0x8D, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x2E])?.message.contains("runs past the end") == true)
        // 200 nested one-tuples.
        #expect(run([0x29] + [UInt8](repeating: 0x85, count: 200) + [0x2E])?.message.contains("nest deeper") == true)
        // A list appended to itself: l = []; l.append(l) — read, walked once, released.
        var m = PickleMachine(file: "f", bytes: [0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E])
        let root = try m.run()
        #expect(try TorchLoader.collect(root, budget: 100, file: "f").isEmpty)
        m.release()
        // LONG1 and BINFLOAT decode.
        var numbers = PickleMachine(file: "f", bytes: [0x8A, 0x02, 0xFE, 0xFF, 0x2E])
        if case .int(let v) = try numbers.run() { #expect(v == -2) } else { Issue.record("not an int") }
        var float = PickleMachine(file: "f", bytes: [0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x2E])
        if case .float(let v) = try float.run() { #expect(v == 1.5) } else { Issue.record("not a float") }
    }

    /// FRAME (protocol 4) only groups the opcodes after it: its 8-byte length is stepped over;
    /// a length field cut short is an error.
    @Test func framesAreSteppedOver() throws {
        var m = PickleMachine(file: "f", bytes: [0x80, 0x04, 0x95, 3, 0, 0, 0, 0, 0, 0, 0, 0x4B, 0x05, 0x2E])
        if case .int(let v) = try m.run() { #expect(v == 5) } else { Issue.record("not an int") }
        #expect(run([0x80, 0x04, 0x95, 9, 0, 0])?.message.contains("FRAME's length field runs past the end") == true)
    }

    /// The fuzzer's findings and seeds (fixtures/fuzz/pickle) end in a value or a typed error.
    /// frame-after-frame.pkl made the optimized, address-sanitized build write into a freed
    /// array when FRAME's 8 bytes were copied and discarded; it stops at its OBJ opcode.
    @Test func fuzzRegressionFixtures() throws {
        let folder = formatFixture("../fuzz/pickle")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.contains("frame-after-frame.pkl"))
        for name in names {
            let bytes = [UInt8](FileManager.default.contents(atPath: folder + "/" + name)!)
            var m = PickleMachine(file: name, bytes: bytes)
            defer { m.release() }
            do { _ = try m.run() } catch let e as CheckpointError {
                if name == "frame-after-frame.pkl" { #expect(e.message.contains("OBJ"), "\(e.message)") }
            }
        }
    }
}
