// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for htsr's readers of untrusted input. A package of its own, depending on
/// htsr by path, so that the main build is untouched: `Scripts/fuzz TARGET [SECONDS]` builds
/// one target here with `-sanitize=fuzzer,address` (and `-enable-testing`, for the readers'
/// internal entry points) and runs it on its seed corpus under `fixtures/fuzz/TARGET`.
let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"]), .swiftLanguageMode(.v6)]

let targets: [(product: String, target: String)] = [
    ("fuzz-safetensors", "FuzzSafetensors"),
    ("fuzz-shard-index", "FuzzShardIndex"),
    ("fuzz-json", "FuzzJSON"),
    ("fuzz-pickle", "FuzzPickle"),
    ("fuzz-zip", "FuzzZip"),
    ("fuzz-gguf", "FuzzGGUF"),
    ("fuzz-analysis-json", "FuzzAnalysisJSON"),
    ("fuzz-tokenizer-json", "FuzzTokenizerJSON"),
    ("fuzz-hdf5", "FuzzHDF5"),
    ("fuzz-hdf5-protocol", "FuzzHDF5Protocol"),
]

let package = Package(
    name: "htsr-fuzz",
    platforms: [.macOS(.v13)],
    products: targets.map { .executable(name: $0.product, targets: [$0.target]) },
    dependencies: [.package(name: "htsr", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "HTSRReaders", package: "htsr")],
                swiftSettings: [.swiftLanguageMode(.v6)]),
    ] + targets.map {
        .executableTarget(name: $0.target, dependencies: ["FuzzSupport", .product(name: "HTSRReaders", package: "htsr")],
                          swiftSettings: fuzzFlags)
    }
)
