import Testing
@testable import Analyzer

/// `--base` across Hugging Face's base-model prefix: a classifier's `bert.encoder…` against the
/// pretrained encoder's `encoder…` (and the reverse) is the same layer.
@Suite struct BasePrefixTests {
    @Test func aTaskModelPairsWithItsBaseModel() throws {
        let a = gaussian(count: 256, seed: 7), b = gaussian(count: 256, seed: 8)
        let moved = zip(a, b).map { $0 + 0.1 * $1 }
        let base = InMemorySource(label: "base", tensors: [("encoder.layer.0.query.weight", [16, 16], a),
                                                          ("pooler.dense.weight", [16, 16], b)])
        let model = InMemorySource(label: "model", tensors: [("bert.encoder.layer.0.query.weight", [16, 16], moved),
                                                            ("bert.pooler.dense.weight", [16, 16], b),
                                                            ("classifier.weight", [3, 16], Array(a.prefix(48)))])
        let delta = try DeltaSource(model: model, base: base)
        #expect(delta.comparison?.modelOnly == ["classifier.weight"] && delta.comparison?.baseOnly == [])
        let q = try #require(model.descriptors.first { $0.name == "bert.encoder.layer.0.query.weight" })
        let w = try delta.readDoubles(q)
        #expect(zip(w, b).allSatisfy { abs($0 - 0.1 * $1) < 1e-12 })
        // The reverse: the base is the prefixed one.
        let back = try DeltaSource(model: base, base: model)
        #expect(back.comparison?.modelOnly == [] && back.comparison?.baseOnly == ["classifier.weight"])
        let r = try Analyzer.analyze(delta, options: AnalysisOptions())
        #expect(r.layers.first { $0.name == "bert.pooler.dense.weight" }?.status == .unchanged)
    }

    /// Only a tensor of the same shape is a counterpart through a prefix; an exact name of another
    /// shape stays an error.
    @Test func prefixPairsNeedTheSameShape() throws {
        let base = InMemorySource(tensors: [("layer.weight", [8, 16], gaussian(count: 128, seed: 1))])
        let model = InMemorySource(tensors: [("bert.layer.weight", [16, 16], gaussian(count: 256, seed: 2))])
        #expect(try DeltaSource(model: model, base: base).comparison?.modelOnly == ["bert.layer.weight"])
        let exact = InMemorySource(tensors: [("layer.weight", [16, 16], gaussian(count: 256, seed: 2))])
        #expect(throws: AnalysisError.self) { try DeltaSource(model: exact, base: base) }
    }
}
