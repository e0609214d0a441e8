/// An element type, spelled as in safetensors headers (`"F32"`, `"BF16"`, `"F8_E4M3"`, ...).
///
/// HDF5 datasets are mapped to the closest case of their stored type (an IEEE half dataset is
/// `F16`, a big-endian 32-bit float dataset is `F32`, an 8-bit unsigned integer is `U8`).
public enum DType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

    /// Bytes per element (`BOOL` is one byte, as in safetensors).
    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .F8_E4M3, .F8_E5M2, .I8, .U8, .BOOL: return 1
        }
    }

    /// Whether the type is a floating-point format (`F64` ... `F8_E5M2`); integers and `BOOL` are not.
    public var isFloatingPoint: Bool {
        switch self {
        case .F64, .F32, .F16, .BF16, .F8_E4M3, .F8_E5M2: return true
        case .I64, .I32, .I16, .I8, .U64, .U32, .U16, .U8, .BOOL: return false
        }
    }
}
