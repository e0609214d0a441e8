/// A ggml tensor type as GGUF stores it: its id, name, block size (elements) and block bytes.
///
/// Every id GGUF files use is listed (ggml.h's `ggml_type`, gguf-py's `GGML_QUANT_SIZES`), so a
/// file's layout can be checked even for types without a dequantizer here; an id not listed
/// is an error. `GGMLDequantize.kernel(for:)` tells which ones are read.
struct GGMLType: Sendable, Hashable {
    let id: UInt32
    let name: String
    /// Elements per block (1 for plain types).
    let blockSize: Int
    /// Bytes per block.
    let typeSize: Int

    /// Integer types (read as not floating point, i.e. skipped like integer tensors elsewhere).
    var integerDType: DType? {
        switch id {
        case 24: return .I8
        case 25: return .I16
        case 26: return .I32
        case 27: return .I64
        default: return nil
        }
    }

    static let all: [UInt32: GGMLType] = {
        let qk = 256
        let table: [(UInt32, String, Int, Int)] = [
            (0, "F32", 1, 4), (1, "F16", 1, 2), (2, "Q4_0", 32, 18), (3, "Q4_1", 32, 20),
            (6, "Q5_0", 32, 22), (7, "Q5_1", 32, 24), (8, "Q8_0", 32, 34), (9, "Q8_1", 32, 40),
            (10, "Q2_K", qk, 2 + 2 + qk / 16 + qk / 4), (11, "Q3_K", qk, 2 + qk / 4 + qk / 8 + 12),
            (12, "Q4_K", qk, 2 + 2 + qk / 2 + 12), (13, "Q5_K", qk, 2 + 2 + qk / 2 + qk / 8 + 12),
            (14, "Q6_K", qk, 2 + qk / 2 + qk / 4 + qk / 16), (15, "Q8_K", qk, 4 + qk + qk / 8),
            (16, "IQ2_XXS", qk, 2 + qk / 4), (17, "IQ2_XS", qk, 2 + qk / 4 + qk / 32),
            (18, "IQ3_XXS", qk, 2 + qk / 4 + qk / 8), (19, "IQ1_S", qk, 2 + qk / 8 + qk / 16),
            (20, "IQ4_NL", 32, 18), (21, "IQ3_S", qk, 2 + qk / 4 + qk / 8 + qk / 32 + 4),
            (22, "IQ2_S", qk, 2 + qk / 4 + qk / 16), (23, "IQ4_XS", qk, 2 + 2 + qk / 2 + qk / 64),
            (24, "I8", 1, 1), (25, "I16", 1, 2), (26, "I32", 1, 4), (27, "I64", 1, 8), (28, "F64", 1, 8),
            (29, "IQ1_M", qk, qk / 8 + qk / 16 + qk / 32), (30, "BF16", 1, 2),
            (34, "TQ1_0", qk, 2 + 4 * 13), (35, "TQ2_0", qk, 2 + 64), (39, "MXFP4", 32, 17),
            (40, "NVFP4", 64, 36), (41, "Q1_0", 128, 18),
        ]
        return Dictionary(uniqueKeysWithValues: table.map { ($0.0, GGMLType(id: $0.0, name: $0.1, blockSize: $0.2, typeSize: $0.3)) })
    }()
}
