import Foundation
import Testing
@testable import Checkpoint

/// Every good fixture opens with the format, metadata, tensor list and values that
/// `Scripts/make-fixtures.py` recorded in `expected.json`.
@Suite struct ExpectedFixtureTests {
    @Test func everyFixtureIsCovered() {
        #expect(Set(Fixtures.fixtureKeys) == Set(Self.keys))
    }

    static let keys = [
        "dtypes.safetensors", "offset-order.safetensors", "sharded/model.safetensors.index.json", "sharded",
        "hf-folder", "shards-no-index", "keras2/weights.h5", "keras2/full_model.h5",
        "keras3/model.weights.h5", "generic.h5", "strings-only.h5",
    ]

    @Test(arguments: keys)
    func fixtureMatchesExpectations(_ key: String) throws {
        let expected = Fixtures.expected(key)
        let checkpoint = try Checkpoint.open(Fixtures.path(key))
        #expect(checkpoint.path == Fixtures.path(key))
        #expect(checkpoint.format.rawValue == expected.format)
        #expect(checkpoint.metadata == expected.metadata)
        #expect(checkpoint.tensors.map(\.name) == expected.tensors.map(\.name))
        for (info, want) in zip(checkpoint.tensors, expected.tensors) {
            #expect(info.dtype.rawValue == want.dtype, "\(info.name)")
            #expect(info.shape == want.shape, "\(info.name)")
            #expect(info.elementCount == want.values.count, "\(info.name)")
            #expect(info.layout.rawValue == want.layout, "\(info.name)")
            #expect(info.file == Fixtures.path(want.file), "\(info.name)")
            #expect(checkpoint.tensor(named: info.name) == info)
            let doubles = try checkpoint.readDoubles(info)
            #expect(sameBits(doubles, want.values), "\(info.name): \(doubles) != \(want.values)")
            let floats = try checkpoint.readFloats(info)
            #expect(sameBits(floats, want.values.map { Float($0) }), "\(info.name): \(floats)")
        }
    }
}
