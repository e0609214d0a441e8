/// llama.cpp's reference dequantizers (`ggml-quants.c`, `dequantize_row_*`), one kernel per type.
///
/// Each value is computed in `Float` with the reference's operations in the reference's order
/// (e.g. Q4_K: `d1 * q - m1` with `d1 = d * sc`, `m1 = dmin * m`), then widened to Double, so
/// the result equals the reference (and gguf-py's numpy port) bit for bit. A C compiler allowed
/// to contract `a * b - c` into one fused multiply-add may differ in the last bit; Swift does not
/// contract, also not in vector code.
///
/// Speed: the kernel is chosen once per tensor (`kernel(for:)`); it loops over whole blocks and
/// writes straight into the caller's Double buffer. Inside a block the bits are unpacked 16
/// bytes at a time in `SIMD16<UInt8>` (native byte-vector operations), converted and scaled 16
/// lanes at a time, so every type runs at about the speed of writing its Doubles to memory
/// (`Scripts/bench-formats`; docs/analyze.md has the figures).
enum GGMLDequantize {
    /// Decodes `blocks` consecutive blocks at `src` (need not be aligned) into `out`
    /// (`blocks · blockSize` values).
    typealias Kernel = @Sendable (_ src: UnsafeRawPointer, _ blocks: Int, _ out: UnsafeMutablePointer<Double>) -> Void

    /// The dequantizer of `type`, or nil for types read nowhere here (IQ*, TQ*, integers, …).
    static func kernel(for type: GGMLType) -> Kernel? {
        switch type.id {
        case 0: return { src, n, out in ScalarDecoding.decode(UnsafeRawBufferPointer(start: src, count: 4 * n), as: .F32, into: out) }
        case 1: return { src, n, out in ScalarDecoding.decode(UnsafeRawBufferPointer(start: src, count: 2 * n), as: .F16, into: out) }
        case 28: return { src, n, out in ScalarDecoding.decode(UnsafeRawBufferPointer(start: src, count: 8 * n), as: .F64, into: out) }
        case 30: return { src, n, out in ScalarDecoding.decode(UnsafeRawBufferPointer(start: src, count: 2 * n), as: .BF16, into: out) }
        case 2: return q4_0
        case 3: return q4_1
        case 6: return q5_0
        case 7: return q5_1
        case 8: return q8_0
        case 10: return q2_K
        case 11: return q3_K
        case 12: return q4_K
        case 13: return q5_K
        case 14: return q6_K
        default: return nil
        }
    }

    // MARK: Helpers

    @inline(__always) static func f16(_ p: UnsafeRawPointer, _ at: Int) -> Float {
        NarrowFloat.half(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
    }
    @inline(__always) static func bytes(_ p: UnsafeRawPointer, _ at: Int) -> SIMD16<UInt8> {
        p.loadUnaligned(fromByteOffset: at, as: SIMD16<UInt8>.self)
    }
    /// The 16 bytes as Floats (exact).
    @inline(__always) static func floats(_ v: SIMD16<UInt8>) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v))
    }
    /// Integers as Floats (exact for the small values here).
    @inline(__always) static func floats(_ v: SIMD16<Int32>) -> SIMD16<Float> { SIMD16<Float>(v) }
    /// The 16 bytes as Int32 lanes.
    @inline(__always) static func ints(_ v: SIMD16<UInt8>) -> SIMD16<Int32> { SIMD16<Int32>(truncatingIfNeeded: v) }
    /// Widens 16 Floats to Double (exact) and stores them at `y` (8-byte aligned is enough).
    @inline(__always) static func store(_ v: SIMD16<Float>, _ y: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(y).storeBytes(of: SIMD16<Double>(v), as: SIMD16<Double>.self)
    }

    // MARK: 32-value blocks

    /// Q8_0 (34 bytes): d (f16), qs[32] (int8); y = q·d. (A plain loop: the compiler vectorises
    /// it better than the byte-vector form.)
    @Sendable static func q8_0(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 34 * b, o = y + 32 * b
            let d = f16(p, 0)
            let qs = (p + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { o[j] = Double(Float(qs[j]) * d) }
        }
    }

    /// Q4_0 (18 bytes): d (f16), qs[16]; y = (q − 8)·d, low nibbles first.
    @Sendable static func q4_0(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 18 * b, o = y + 32 * b
            let d = f16(p, 0)
            let q = bytes(p, 2)
            store((floats(q & 0x0F) - 8) * d, o)
            store((floats(q &>> 4) - 8) * d, o + 16)
        }
    }

    /// Q4_1 (20 bytes): d, m (f16), qs[16]; y = q·d + m. (A plain loop: the compiler vectorises
    /// it better than the byte-vector form.)
    @Sendable static func q4_1(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 20 * b, o = y + 32 * b
            let d = f16(p, 0), m = f16(p, 2)
            let qs = (p + 4).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                let q = qs[j]
                o[j] = Double(Float(q & 0x0F) * d + m)
                o[j + 16] = Double(Float(q >> 4) * d + m)
            }
        }
    }

    /// Bit `j` (first vector) and bit `j + 16` (second) of `qh` for lanes j = 0…15, as 0 or 16:
    /// the fifth bit of Q5_0 / Q5_1 values j and j + 16.
    @inline(__always) static func fifthBits(_ qh: UInt32) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let v = SIMD16<UInt32>(repeating: qh)
        return (SIMD16<Int32>(truncatingIfNeeded: ((v &>> lanes) & 1) &<< 4),
                SIMD16<Int32>(truncatingIfNeeded: ((v &>> (lanes &+ 16)) & 1) &<< 4))
    }

    /// Q5_0 (22 bytes): d (f16), qh (u32), qs[16]; y = (q − 16)·d with the fifth bit from qh.
    @Sendable static func q5_0(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 22 * b, o = y + 32 * b
            let d = f16(p, 0)
            let (h0, h1) = fifthBits(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt32.self)))
            let q = bytes(p, 6)
            store(floats((ints(q & 0x0F) | h0) &- 16) * d, o)
            store(floats((ints(q &>> 4) | h1) &- 16) * d, o + 16)
        }
    }

    /// Q5_1 (24 bytes): d, m (f16), qh (u32), qs[16]; y = q·d + m with the fifth bit from qh.
    @Sendable static func q5_1(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 24 * b, o = y + 32 * b
            let d = f16(p, 0), m = f16(p, 2)
            let (h0, h1) = fifthBits(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            let q = bytes(p, 8)
            store(floats(ints(q & 0x0F) | h0) * d + m, o)
            store(floats(ints(q &>> 4) | h1) * d + m, o + 16)
        }
    }

    // MARK: 256-value K blocks

    /// Q2_K (84 bytes): scales[16], qs[64], d, dmin (f16); 16 groups of 16 values,
    /// y = (d·(sc & 15))·q − dmin·(sc >> 4). Group g takes 2 bits at shift 2·((g / 2) % 4) of
    /// qs[32·(g / 8) + 16·(g % 2) ..< +16].
    @Sendable static func q2_K(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 84 * b, o = y + 256 * b
            let d = f16(p, 80), dmin = f16(p, 82)
            for g in 0..<16 {
                let q = bytes(p, 16 + 32 * (g / 8) + 16 * (g % 2))
                let sc = p.load(fromByteOffset: g, as: UInt8.self)
                let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
                store(dl * floats((q &>> UInt8(2 * ((g / 2) % 4))) & 3) - ml, o + 16 * g)
            }
        }
    }

    /// Q3_K (110 bytes): hmask[32], qs[64], scales[12] (sixteen 6-bit values, packed), d (f16);
    /// y = (d·(sc − 32))·(q − 4·¬h). Group g of 16: 2 bits at shift 2j of qs[32n + 16h ..< +16]
    /// and bit 4n + j of hmask[16h ..< +16], with n = g / 8, j = (g / 2) % 4, h = g % 2.
    @Sendable static func q3_K(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        let kmask1: UInt32 = 0x0303_0303, kmask2: UInt32 = 0x0f0f_0f0f
        for b in 0..<blocks {
            let p = x + 110 * b, o = y + 256 * b
            let d = f16(p, 108)
            let a0 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 96, as: UInt32.self))
            let a1 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 100, as: UInt32.self))
            let a2 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 104, as: UInt32.self))
            // The reference's aux[4] unpacking: scale k is byte k of these four words.
            let packed = SIMD4<UInt32>(((a0 & kmask2) | ((a2 & kmask1) << 4)).littleEndian,
                                       ((a1 & kmask2) | (((a2 >> 2) & kmask1) << 4)).littleEndian,
                                       (((a0 >> 4) & kmask2) | (((a2 >> 4) & kmask1) << 4)).littleEndian,
                                       (((a1 >> 4) & kmask2) | (((a2 >> 6) & kmask1) << 4)).littleEndian)
            let scales = unsafeBitCast(packed, to: SIMD16<Int8>.self)
            for g in 0..<16 {
                let n = g / 8, j = (g / 2) % 4, h = g % 2
                let q = (bytes(p, 32 + 32 * n + 16 * h) &>> UInt8(2 * j)) & 3
                let missingHigh = (((bytes(p, 16 * h) &>> UInt8(4 * n + j)) & 1) ^ 1) &<< 2
                let v = SIMD16<Int8>(truncatingIfNeeded: q) &- SIMD16<Int8>(truncatingIfNeeded: missingHigh)
                let dl = d * Float(Int32(scales[g]) - 32)
                store(dl * SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v)), o + 16 * g)
            }
        }
    }

    /// The 6-bit scale and min `j` (0…7) of a Q4_K / Q5_K block (`get_scale_min_k4`).
    @inline(__always) static func scaleMin(_ j: Int, _ s: UnsafeRawPointer) -> (Float, Float) {
        func u8(_ i: Int) -> UInt8 { s.load(fromByteOffset: i, as: UInt8.self) }
        if j < 4 { return (Float(u8(j) & 63), Float(u8(j + 4) & 63)) }
        let d = (u8(j + 4) & 0x0F) | ((u8(j - 4) >> 6) << 4)
        let m = (u8(j + 4) >> 4) | ((u8(j) >> 6) << 4)
        return (Float(d), Float(m))
    }

    /// Q4_K (144 bytes): d, dmin (f16), scales[12], qs[128]; per 64 values j, the low nibbles of
    /// qs[32j ..< +32] with scale/min 2j and the high nibbles with 2j + 1: y = (d·sc)·q − dmin·m.
    @Sendable static func q4_K(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 144 * b, o = y + 256 * b
            let d = f16(p, 0), dmin = f16(p, 2)
            for j in 0..<4 {
                let (sc1, mn1) = scaleMin(2 * j, p + 4), (sc2, mn2) = scaleMin(2 * j + 1, p + 4)
                let d1 = d * sc1, m1 = dmin * mn1, d2 = d * sc2, m2 = dmin * mn2
                for k in 0..<2 {
                    let q = bytes(p, 16 + 32 * j + 16 * k)
                    store(d1 * floats(q & 0x0F) - m1, o + 64 * j + 16 * k)
                    store(d2 * floats(q &>> 4) - m2, o + 64 * j + 32 + 16 * k)
                }
            }
        }
    }

    /// Q5_K (176 bytes): d, dmin (f16), scales[12], qh[32], qs[128]; like Q4_K with a fifth bit,
    /// bit 2j (low nibbles) or 2j + 1 (high nibbles) of qh[l].
    @Sendable static func q5_K(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 176 * b, o = y + 256 * b
            let d = f16(p, 0), dmin = f16(p, 2)
            for j in 0..<4 {
                let (sc1, mn1) = scaleMin(2 * j, p + 4), (sc2, mn2) = scaleMin(2 * j + 1, p + 4)
                let d1 = d * sc1, m1 = dmin * mn1, d2 = d * sc2, m2 = dmin * mn2
                for k in 0..<2 {
                    let q = bytes(p, 48 + 32 * j + 16 * k), qh = bytes(p, 16 + 16 * k)
                    let lo = (q & 0x0F) | (((qh &>> UInt8(2 * j)) & 1) &<< 4)
                    let hi = (q &>> 4) | (((qh &>> UInt8(2 * j + 1)) & 1) &<< 4)
                    store(d1 * floats(lo) - m1, o + 64 * j + 16 * k)
                    store(d2 * floats(hi) - m2, o + 64 * j + 32 + 16 * k)
                }
            }
        }
    }

    /// Q6_K (210 bytes): ql[128], qh[64], scales[16] (int8), d (f16); y = (d·sc)·(q − 32), q the
    /// 4 bits of ql and 2 of qh. Per half n of 128 values and 16-lane part h: values
    /// 32i + 16h + l (i = 0…3) use scale 8n + h + 2i.
    @Sendable static func q6_K(_ x: UnsafeRawPointer, _ blocks: Int, _ y: UnsafeMutablePointer<Double>) {
        for b in 0..<blocks {
            let p = x + 210 * b
            let d = f16(p, 208)
            for n in 0..<2 {
                for h in 0..<2 {
                    let o = y + 256 * b + 128 * n + 16 * h
                    let a = bytes(p, 64 * n + 16 * h), c = bytes(p, 64 * n + 32 + 16 * h)
                    let hb = bytes(p, 128 + 32 * n + 16 * h)
                    let s = p + 192 + 8 * n + h
                    let d0 = d * Float(s.load(as: Int8.self)), d1 = d * Float(s.load(fromByteOffset: 2, as: Int8.self))
                    let d2 = d * Float(s.load(fromByteOffset: 4, as: Int8.self)), d3 = d * Float(s.load(fromByteOffset: 6, as: Int8.self))
                    store(d0 * floats(ints((a & 0x0F) | ((hb & 3) &<< 4)) &- 32), o)
                    store(d1 * floats(ints((c & 0x0F) | (((hb &>> 2) & 3) &<< 4)) &- 32), o + 32)
                    store(d2 * floats(ints((a &>> 4) | (((hb &>> 4) & 3) &<< 4)) &- 32), o + 64)
                    store(d3 * floats(ints((c &>> 4) | (((hb &>> 6) & 3) &<< 4)) &- 32), o + 96)
                }
            }
        }
    }
}
