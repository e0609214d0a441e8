/// Bit-exact decoders for the narrow floating-point formats, to `Float` (every value of these
/// formats is exactly representable as a `Float`, so nothing is rounded).
enum NarrowFloat {
    /// IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
    /// Subnormals (exponent 0) are `mantissa · 2⁻²⁴`; exponent 31 is ±infinity or NaN (payload
    /// kept). Branch-free (selects), so loops over it vectorise.
    @inline(__always)
    static func half(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let magnitude = UInt32(bits & 0x7FFF)
        let exponent = magnitude & 0x7C00
        // Normal numbers: the exponent rebiased (15 → 127) by adding 112 to it; infinities and
        // NaNs (exponent 31) once more, to 255; zeros and subnormals: mantissa · 2⁻²⁴, exact.
        var result = (magnitude << 13) &+ (112 << 23)
        result = exponent == 0x7C00 ? result &+ (112 << 23) : result
        result = exponent == 0 ? (Float(Int32(bitPattern: magnitude)) * 0x1p-24).bitPattern : result
        return Float(bitPattern: result | sign)
    }

    /// bfloat16: the upper 16 bits of a binary32.
    @inline(__always)
    static func bfloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// OCP FP8 E4M3 "fn" variant: 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities,
    /// `S.1111.111` (0x7F, 0xFF) is NaN, so the largest finite value is ±448.
    /// Subnormals (exponent 0) are `mantissa · 2⁻⁹`.
    @inline(__always)
    static func e4m3fn(_ bits: UInt8) -> Float {
        let negative = bits & 0x80 != 0
        let exponent = Int((bits >> 3) & 0x0F)
        let mantissa = Float(bits & 0x07)
        let magnitude: Float
        if exponent == 0x0F && bits & 0x07 == 0x07 {
            return .nan
        } else if exponent == 0 {
            magnitude = mantissa * 0x1p-9
        } else {
            magnitude = (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
        }
        return negative ? -magnitude : magnitude
    }

    /// OCP FP8 E5M2: the upper byte of an IEEE binary16 (bias 15, with infinities and NaNs).
    @inline(__always)
    static func e5m2(_ bits: UInt8) -> Float {
        half(UInt16(bits) << 8)
    }
}

/// Converts little-endian raw tensor bytes to floating-point values.
enum ScalarDecoding {
    /// Decodes `raw.count / dtype.byteSize` elements of `dtype` from `raw` into `out`.
    ///
    /// Integers convert with the usual rounding to nearest (64-bit integers beyond 2⁵³ lose low
    /// bits in `Double`); `BOOL` is 0 for a zero byte, else 1. `raw` need not be aligned.
    /// `F64` to `Float` rounds to nearest (overflowing to ±infinity).
    static func decode<T: BinaryFloatingPoint>(_ raw: UnsafeRawBufferPointer, as dtype: DType,
                                               into out: UnsafeMutablePointer<T>) {
        let n = raw.count / dtype.byteSize
        switch dtype {
        case .F64: for i in 0..<n { out[i] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
        case .F32:
            if let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                // Aligned (the readers' chunk buffers are): a plain loop the compiler vectorises.
                let f = base.bindMemory(to: Float.self, capacity: n)
                for i in 0..<n { out[i] = T(f[i]) }
            } else {
                for i in 0..<n { out[i] = T(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))) }
            }
        case .F16: for i in 0..<n { out[i] = T(NarrowFloat.half(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
        case .BF16: for i in 0..<n { out[i] = T(NarrowFloat.bfloat16(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
        case .F8_E4M3: for i in 0..<n { out[i] = T(NarrowFloat.e4m3fn(raw[i])) }
        case .F8_E5M2: for i in 0..<n { out[i] = T(NarrowFloat.e5m2(raw[i])) }
        case .I64: for i in 0..<n { out[i] = T(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        case .I32: for i in 0..<n { out[i] = T(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        case .I16: for i in 0..<n { out[i] = T(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
        case .I8: for i in 0..<n { out[i] = T(Int8(bitPattern: raw[i])) }
        case .U64: for i in 0..<n { out[i] = T(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) }
        case .U32: for i in 0..<n { out[i] = T(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        case .U16: for i in 0..<n { out[i] = T(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) }
        case .U8: for i in 0..<n { out[i] = T(raw[i]) }
        case .BOOL: for i in 0..<n { out[i] = raw[i] == 0 ? 0 : 1 }
        }
    }
}
