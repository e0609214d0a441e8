// swift-tools-version:6.1
import PackageDescription

/// htsr: heavy-tailed self-regularization analysis and training.
/// Dependencies point one way: C shims -> LinearAlgebra / Checkpoint / PowerLaw -> Spectrum ->
/// Analyzer -> Plot / Train -> htsr (PDE: FFTW + Checkpoint).
let package = Package(
    name: "htsr",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "htsr", targets: ["htsr"]),
    ],
    // `swift build --traits MPI` builds htsr with MPI (`mpirun -np N htsr analyze ...`); a plain
    // build needs no MPI headers (docs/analyze.md).
    traits: [
        .trait(name: "MPI", description: "Distribute htsr analyze over MPI ranks (needs libopenmpi-dev or another MPI with pkg-config mpi-c)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CLapack", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        // libhdf5 is loaded on first use (dlopen), not linked: see Sources/CHDF5/include/CHDF5.h.
        .target(name: "CHDF5", linkerSettings: [.linkedLibrary("dl")]),

        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3",
                       providers: [.apt(["libfftw3-dev"])]),
        .target(name: "CStartup"),
        .systemLibrary(name: "CMPI", pkgConfig: "mpi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CGnuplot",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_filesystem")]),

        // Libraries.
        .target(name: "LinearAlgebra", dependencies: ["CLapack"]),
        .target(name: "Checkpoint", dependencies: ["CHDF5"]),
        .target(name: "PowerLaw"),
        .target(name: "Spectrum", dependencies: ["LinearAlgebra"]),
        .target(name: "Analyzer", dependencies: ["Checkpoint", "Spectrum", "PowerLaw"]),
        .target(name: "Plot", dependencies: ["CGnuplot", "Analyzer", "PowerLaw", "Spectrum"]),
        .target(name: "Train", dependencies: ["LinearAlgebra", "Analyzer", "Checkpoint", "CLapack", "CZlib", "Spectrum", "PowerLaw"]),
        .target(name: "PDE", dependencies: ["CFFTW", "Checkpoint"]),
        .target(name: "FNO", dependencies: ["Train", "PDE", "LinearAlgebra", "Analyzer", "CLapack", "Checkpoint", "PowerLaw", "Spectrum", "Plot"]),

        // Command-line tool and benchmarks.
        .executableTarget(name: "htsr", dependencies: [
            "Analyzer", "Checkpoint", "CStartup", "LinearAlgebra", "Plot", "Train", "PDE", "FNO",
            .target(name: "CMPI", condition: .when(traits: ["MPI"])),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "BenchAnalyze", dependencies: ["Analyzer", "Checkpoint", "Spectrum", "LinearAlgebra"],
                          path: "Benchmarks/BenchAnalyze"),
        .executableTarget(name: "BenchEigen", dependencies: ["LinearAlgebra", "CStartup"],
                          path: "Benchmarks/BenchEigen"),
        .executableTarget(name: "BenchTrain", dependencies: ["Train", "LinearAlgebra", "CStartup"],
                          path: "Benchmarks/BenchTrain"),
        .executableTarget(name: "BenchFNO", dependencies: ["FNO", "Train", "LinearAlgebra", "CStartup"],
                          path: "Benchmarks/BenchFNO"),

        // Tests: one target per module, plus end-to-end runs of the built binary.
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "StartupTests", dependencies: ["CStartup", "LinearAlgebra"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "CHDF5"]),
        .testTarget(name: "PowerLawTests", dependencies: ["PowerLaw"]),
        .testTarget(name: "SpectrumTests", dependencies: ["Spectrum", "LinearAlgebra"]),
        .testTarget(name: "AnalyzerTests", dependencies: ["Analyzer"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "Analyzer"]),
        // Central finite differences shared by the gradient checks of Train and FNO.
        .target(name: "GradientCheckSupport", path: "Tests/GradientCheckSupport"),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Analyzer", "Checkpoint", "LinearAlgebra", "GradientCheckSupport"]),
        .testTarget(name: "PDETests", dependencies: ["PDE", "Checkpoint"]),
        .testTarget(name: "FNOTests", dependencies: ["FNO", "Train", "PDE", "Checkpoint", "GradientCheckSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["htsr", "Checkpoint"]),
    ],
    swiftLanguageModes: [.v5]
)
