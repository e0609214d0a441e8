/// A ggml tensor type as GGUF stores it: its id, name, block size (elements) and block bytes.
///
/// Every id GGUF files use is listed (ggml.h's `ggml_type`, gguf-py's `GGML_QUANT_SIZES`), so a
/// file's layout can be checked even for types without a dequantizer here; an id not listed
/// is an error. `isDequantized` tells which ones are read.
struct GGMLType: Sendable, Hashable {
    let id: UInt32
    let name: String
    /// Elements per block (1 for plain types).
    let blockSize: Int
    /// Bytes per block.
    let typeSize: Int

    /// The types htsr decodes (exactly as llama.cpp's reference `dequantize_row_*`).
    var isDequantized: Bool { Self.dequantized.contains(id) }
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

    static let dequantized: Set<UInt32> = [0, 1, 2, 3, 6, 7, 8, 10, 11, 12, 13, 14, 28, 30]

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

/// llama.cpp's reference dequantizers (`ggml-quants.c`, `dequantize_row_*`), block by block.
///
/// Each value is computed in `Float` with the reference's operations in the reference's order
/// (e.g. Q4_K: `d1 * q - m1` with `d1 = d * sc`, `m1 = dmin * m`), then widened to Double, so
/// the result equals the reference (and gguf-py's numpy port) bit for bit. A C compiler allowed
/// to contract `a * b - c` into one fused multiply-add may differ in the last bit; Swift does not
/// contract.
enum GGMLDequantize {
    /// Decodes `blocks` blocks of `type` at `src` into `out` (`blocks · type.blockSize` values).
    /// `type` must be one of `GGMLType.dequantized`; `src` need not be aligned.
    static func decode(_ type: GGMLType, _ src: UnsafeRawPointer, blocks: Int, into out: UnsafeMutablePointer<Double>) {
        var x = src
        var y = out
        for _ in 0..<blocks {
            switch type.id {
            case 0: y[0] = Double(x.loadUnaligned(as: Float.self))
            case 1: y[0] = Double(f16(x, 0))
            case 28: y[0] = x.loadUnaligned(as: Double.self)
            case 30: y[0] = Double(NarrowFloat.bfloat16(x.loadUnaligned(as: UInt16.self)))
            case 2: q4_0(x, y)
            case 3: q4_1(x, y)
            case 6: q5_0(x, y)
            case 7: q5_1(x, y)
            case 8: q8_0(x, y)
            case 10: q2_K(x, y)
            case 11: q3_K(x, y)
            case 12: q4_K(x, y)
            case 13: q5_K(x, y)
            case 14: q6_K(x, y)
            default: preconditionFailure("no dequantizer for \(type.name)")
            }
            x += type.typeSize
            y += type.blockSize
        }
    }

    @inline(__always) static func f16(_ p: UnsafeRawPointer, _ at: Int) -> Float {
        NarrowFloat.half(p.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }
    @inline(__always) static func u8(_ p: UnsafeRawPointer, _ at: Int) -> UInt8 { p.load(fromByteOffset: at, as: UInt8.self) }

    /// Q4_0: d (f16), qs[16]; y = (q − 8)·d, low nibbles first.
    static func q4_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0)
        for j in 0..<16 {
            let q = u8(x, 2 + j)
            y[j] = Double(Float(Int(q & 0x0F) - 8) * d)
            y[j + 16] = Double(Float(Int(q >> 4) - 8) * d)
        }
    }

    /// Q4_1: d, m (f16), qs[16]; y = q·d + m.
    static func q4_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0), m = f16(x, 2)
        for j in 0..<16 {
            let q = u8(x, 4 + j)
            y[j] = Double(Float(q & 0x0F) * d + m)
            y[j + 16] = Double(Float(q >> 4) * d + m)
        }
    }

    /// Q5_0: d (f16), qh (u32), qs[16]; y = (q − 16)·d with the fifth bit from qh.
    static func q5_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0)
        let qh = x.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        for j in 0..<16 {
            let q = u8(x, 6 + j)
            let h0 = Int((qh >> UInt32(j)) << 4) & 0x10
            let h1 = Int(qh >> UInt32(j + 12)) & 0x10
            y[j] = Double(Float((Int(q & 0x0F) | h0) - 16) * d)
            y[j + 16] = Double(Float((Int(q >> 4) | h1) - 16) * d)
        }
    }

    /// Q5_1: d, m (f16), qh (u32), qs[16]; y = q·d + m.
    static func q5_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0), m = f16(x, 2)
        let qh = x.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        for j in 0..<16 {
            let q = u8(x, 8 + j)
            let h0 = Int((qh >> UInt32(j)) << 4) & 0x10
            let h1 = Int(qh >> UInt32(j + 12)) & 0x10
            y[j] = Double(Float(Int(q & 0x0F) | h0) * d + m)
            y[j + 16] = Double(Float(Int(q >> 4) | h1) * d + m)
        }
    }

    /// Q8_0: d (f16), qs[32] (int8); y = q·d.
    static func q8_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0)
        for j in 0..<32 { y[j] = Double(Float(Int8(bitPattern: u8(x, 2 + j))) * d) }
    }

    /// Q2_K: scales[16], qs[64], d, dmin (f16); y = (d·(sc & 15))·q − dmin·(sc >> 4).
    static func q2_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 80), dmin = f16(x, 82)
        var out = 0, scale = 0, q = 16
        for _ in 0..<2 {
            var shift = 0
            for _ in 0..<4 {
                for half in 0..<2 {
                    let sc = u8(x, scale); scale += 1
                    let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
                    for l in 0..<16 {
                        let v = Int(u8(x, q + 16 * half + l) >> UInt8(shift)) & 3
                        y[out] = Double(dl * Float(v) - ml); out += 1
                    }
                }
                shift += 2
            }
            q += 32
        }
    }

    /// Q3_K: hmask[32], qs[64], scales[12] (6-bit, packed), d (f16); y = (d·(sc − 32))·(q − 4·¬h).
    static func q3_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let dAll = f16(x, 108)
        var aux = [UInt32](repeating: 0, count: 4)
        for k in 0..<3 { aux[k] = x.loadUnaligned(fromByteOffset: 96 + 4 * k, as: UInt32.self) }
        let kmask1: UInt32 = 0x0303_0303, kmask2: UInt32 = 0x0f0f_0f0f
        let tmp = aux[2]
        aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4)
        aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)
        aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4)
        aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4)
        func scale(_ i: Int) -> Int { Int(Int8(bitPattern: UInt8(truncatingIfNeeded: aux[i / 4] >> UInt32(8 * (i % 4))))) }
        var out = 0, s = 0, q = 32
        var m: UInt8 = 1
        for _ in 0..<2 {
            var shift = 0
            for _ in 0..<4 {
                for half in 0..<2 {
                    let dl = dAll * Float(scale(s) - 32); s += 1
                    for l in 0..<16 {
                        let i = 16 * half + l
                        let v = Int((u8(x, q + i) >> UInt8(shift)) & 3) - (u8(x, i) & m != 0 ? 0 : 4)
                        y[out] = Double(dl * Float(v)); out += 1
                    }
                }
                shift += 2
                m <<= 1
            }
            q += 32
        }
    }

    /// The 6-bit scale and min `j` of a Q4_K / Q5_K block (`get_scale_min_k4`).
    @inline(__always) static func scaleMin(_ j: Int, _ s: UnsafeRawPointer) -> (Float, Float) {
        if j < 4 { return (Float(u8(s, j) & 63), Float(u8(s, j + 4) & 63)) }
        let d = (u8(s, j + 4) & 0x0F) | ((u8(s, j - 4) >> 6) << 4)
        let m = (u8(s, j + 4) >> 4) | ((u8(s, j) >> 6) << 4)
        return (Float(d), Float(m))
    }

    /// Q4_K: d, dmin (f16), scales[12], qs[128]; y = (d·sc)·q − dmin·m per 32 values.
    static func q4_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0), dmin = f16(x, 2)
        let scales = x + 4
        var out = 0
        for j in 0..<4 {
            let (sc1, m1s) = scaleMin(2 * j, scales), (sc2, m2s) = scaleMin(2 * j + 1, scales)
            let d1 = d * sc1, m1 = dmin * m1s, d2 = d * sc2, m2 = dmin * m2s
            let q = 16 + 32 * j
            for l in 0..<32 { y[out + l] = Double(d1 * Float(u8(x, q + l) & 0x0F) - m1) }
            for l in 0..<32 { y[out + 32 + l] = Double(d2 * Float(u8(x, q + l) >> 4) - m2) }
            out += 64
        }
    }

    /// Q5_K: d, dmin (f16), scales[12], qh[32], qs[128]; like Q4_K with a fifth bit from qh.
    static func q5_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 0), dmin = f16(x, 2)
        let scales = x + 4
        var out = 0
        var u1: UInt8 = 1, u2: UInt8 = 2
        for j in 0..<4 {
            let (sc1, m1s) = scaleMin(2 * j, scales), (sc2, m2s) = scaleMin(2 * j + 1, scales)
            let d1 = d * sc1, m1 = dmin * m1s, d2 = d * sc2, m2 = dmin * m2s
            let q = 48 + 32 * j
            for l in 0..<32 {
                let v = Int(u8(x, q + l) & 0x0F) + (u8(x, 16 + l) & u1 != 0 ? 16 : 0)
                y[out + l] = Double(d1 * Float(v) - m1)
            }
            for l in 0..<32 {
                let v = Int(u8(x, q + l) >> 4) + (u8(x, 16 + l) & u2 != 0 ? 16 : 0)
                y[out + 32 + l] = Double(d2 * Float(v) - m2)
            }
            out += 64
            u1 <<= 2
            u2 <<= 2
        }
    }

    /// Q6_K: ql[128], qh[64], scales[16] (int8), d (f16); y = (d·sc)·(q − 32).
    static func q6_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Double>) {
        let d = f16(x, 208)
        var ql = 0, qh = 128, sc = 192, out = 0
        for _ in 0..<2 {
            for l in 0..<32 {
                let isc = l / 16
                let a = u8(x, ql + l), b = u8(x, ql + l + 32), h = u8(x, qh + l)
                let q1 = Int(Int8(bitPattern: (a & 0x0F) | ((h >> 0) & 3) << 4)) - 32
                let q2 = Int(Int8(bitPattern: (b & 0x0F) | ((h >> 2) & 3) << 4)) - 32
                let q3 = Int(Int8(bitPattern: (a >> 4) | ((h >> 4) & 3) << 4)) - 32
                let q4 = Int(Int8(bitPattern: (b >> 4) | ((h >> 6) & 3) << 4)) - 32
                func s(_ k: Int) -> Float { Float(Int8(bitPattern: u8(x, sc + isc + k))) }
                y[out + l] = Double(d * s(0) * Float(q1))
                y[out + l + 32] = Double(d * s(2) * Float(q2))
                y[out + l + 64] = Double(d * s(4) * Float(q3))
                y[out + l + 96] = Double(d * s(6) * Float(q4))
            }
            out += 128
            ql += 64
            qh += 32
            sc += 8
        }
    }
}
