import CStartup
import Glibc
import Testing

/// The start-up's choice of OpenBLAS kernels (Sources/CStartup/blas_core.c), on described CPUs.
@Suite struct CoreChoiceTests {
    func cpu(vendor: String, avx2: Bool = true, fma: Bool = true, avx512: Bool = false,
             osYMM: Bool = true, osZMM: Bool = true) -> htsr_cpu {
        var c = htsr_cpu()
        withUnsafeMutableBytes(of: &c.vendor) { buffer in
            for (i, byte) in vendor.utf8.prefix(12).enumerated() { buffer[i] = byte }
        }
        c.avx = 1
        c.avx2 = avx2 ? 1 : 0
        c.fma = fma ? 1 : 0
        c.avx512 = avx512 ? 1 : 0
        c.os_ymm = osYMM ? 1 : 0
        c.os_zmm = osYMM && osZMM ? 1 : 0
        return c
    }

    func choice(_ cpu: htsr_cpu, _ openblas: String) -> String? {
        var c = cpu
        return htsr_core_for(&c, openblas).map { String(cString: $0) }
    }

    @Test func genericCoresOnModernCPUsAreReplaced() {
        // An AVX-512 Xeon that OpenBLAS 0.3.21 does not know falls back to Prescott.
        #expect(choice(cpu(vendor: "GenuineIntel", avx512: true), "Prescott") == "SkylakeX")
        #expect(choice(cpu(vendor: "GenuineIntel"), "Prescott") == "Haswell")
        #expect(choice(cpu(vendor: "GenuineIntel"), "sandybridge") == "Haswell")
        #expect(choice(cpu(vendor: "AuthenticAMD"), "Barcelona") == "Zen")
        #expect(choice(cpu(vendor: "HygonGenuine"), "Unknown") == "Zen")
        #expect(choice(cpu(vendor: "AuthenticAMD", avx512: true), "Excavator") == "SkylakeX")
        // AVX-512 in the CPU but not saved by the OS: AVX2 kernels.
        #expect(choice(cpu(vendor: "GenuineIntel", avx512: true, osZMM: false), "Prescott") == "Haswell")
    }

    @Test func goodChoicesAndOldCPUsAreKept() {
        for core in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", "SomeFutureCore"] {
            #expect(choice(cpu(vendor: "GenuineIntel", avx512: true), core) == nil, "\(core)")
        }
        // Nothing faster to offer: no AVX2, no FMA, or the OS does not save YMM.
        #expect(choice(cpu(vendor: "GenuineIntel", avx2: false), "Sandybridge") == nil)
        #expect(choice(cpu(vendor: "GenuineIntel", fma: false), "Prescott") == nil)
        #expect(choice(cpu(vendor: "GenuineIntel", osYMM: false), "Nehalem") == nil)
    }

    @Test func genericCoreList() {
        #expect(htsr_core_is_generic("Prescott") == 1 && htsr_core_is_generic("PRESCOTT") == 1)
        #expect(htsr_core_is_generic("Sandybridge") == 1 && htsr_core_is_generic("Excavator") == 1)
        #expect(htsr_core_is_generic("Haswell") == 0 && htsr_core_is_generic("Zen") == 0)
        #expect(htsr_core_is_generic(nil) == 0)
    }

    /// This process's own start-up decision is consistent with what OpenBLAS reports.
    /// OPENBLAS_CORETYPE is shown to OpenBLAS without setenv: `environ`, its entries and the
    /// user's value are the same afterwards (a reallocated `environ` left a static build's Swift
    /// runtime without argv: every command printed the top-level help).
    @Test func theCoreIsShownWithoutTouchingTheEnvironment() {
        let before = environ
        var count = 0
        while before[count] != nil { count += 1 }
        let entries = (0..<count).map { before[$0] }
        let user = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        var seen: String? = "unset"
        let ok = withUnsafeMutablePointer(to: &seen) { context in
            htsr_with_environment_entry("OPENBLAS_CORETYPE", "SkylakeX", { context in
                let seen = context!.assumingMemoryBound(to: String?.self)
                seen.pointee = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
            }, context)
        }
        #expect(ok == 1)
        #expect(seen == "SkylakeX")
        #expect(environ == before)
        #expect((0..<count).allSatisfy { environ[$0] == entries[$0] } && environ[count] == nil)
        #expect(getenv("OPENBLAS_CORETYPE").map { String(cString: $0) } == user)
    }

    @Test func startupDecisionIsRecorded() {
        let record = htsr_blas_core_choice().pointee
        var r = record
        let core = withUnsafeBytes(of: &r.core) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #expect(record.decision != HTSR_CORE_NOT_OPENBLAS)
        #expect(!core.isEmpty)
        if record.decision == HTSR_CORE_SWITCHED { #expect(htsr_core_is_generic(core) == 0) }
    }
}
