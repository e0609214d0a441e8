// swift-tools-version:6.1
import PackageDescription

/// htsr: heavy-tailed self-regularization analysis and training.
///
/// Module graph (dependencies point down; docs/architecture.md has the full table, and
/// `Scripts/check-architecture` checks every import against the declarations below):
///
///   htsr ─ Experiments ─┬─ Transformer ─┐
///                       ├─ FNO ─ PDE    ├─ Train ─ Analyzer ─ Spectrum ─ LinearAlgebra ─ CLapack
///                       └─ Plot ────────┘            │   └─ PowerLaw
///   Text ─ Checkpoint ─ CHDF5, CZlib                 └─ Checkpoint
///   foundations: Random, ComplexNumbers, Parallel (Mutex-guarded result slots), Settings (ranges and
///   InvalidSetting, below every library that has settings; the CLI maps them to flags)
///
/// Train, FNO, PDE and Transformer never import Plot; each C shim is imported (`internal import`)
/// only by its wrapper module (CLapack: LinearAlgebra; CHDF5, CZlib: Checkpoint; CFFTW: PDE;
/// CGnuplot: Plot; CKernels: Train; CStartup: htsr and the benchmarks). Swift 6 language mode throughout.
let package = Package(
    name: "htsr",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "htsr", targets: ["htsr"]),
        // The readers, for the fuzz targets of Fuzz/ (a package of its own, built with
        // -sanitize=fuzzer,address by Scripts/fuzz; this build is untouched).
        .library(name: "HTSRReaders", targets: ["Checkpoint", "Text", "Analyzer"]),
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
        // Element-wise float kernels cloned per x86-64 level (AVX-512, AVX2, baseline) and picked at
        // load time; optimised in debug builds too (the tests train models).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2", "-fno-math-errno", "-ffp-contract=off"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "mpi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CGnuplot",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_filesystem")]),

        // Libraries.
        // Settings: the typed error of a setting outside its range, and the ranges (no dependencies).
        .target(name: "Settings"),
        .target(name: "Random"),
        .target(name: "ComplexNumbers"),
        // Result slots and a work counter shared by worker threads (Mutex-guarded).
        .target(name: "Parallel"),
        .target(name: "LinearAlgebra", dependencies: ["CLapack", "ComplexNumbers"]),
        .target(name: "Checkpoint", dependencies: ["CHDF5", "CZlib"]),
        // Tokenizer and text data (Checkpoint for JSON). Optimized in debug builds too: the tests
        // tokenize every Unicode scalar and 10 MB lines.
        .target(name: "Text", dependencies: ["Checkpoint", "Settings"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "PowerLaw", dependencies: ["Settings"]),
        .target(name: "Spectrum", dependencies: ["LinearAlgebra", "Random"]),
        .target(name: "Analyzer", dependencies: ["Checkpoint", "LinearAlgebra", "Spectrum", "PowerLaw", "Settings"]),
        .target(name: "Plot", dependencies: ["CGnuplot", "Analyzer", "Checkpoint", "Parallel", "PowerLaw", "Spectrum"]),
        .target(name: "Train", dependencies: ["CKernels", "LinearAlgebra", "Analyzer", "Checkpoint", "Parallel", "Spectrum", "PowerLaw", "Random", "Settings"]),
        .target(name: "PDE", dependencies: ["CFFTW", "Checkpoint", "ComplexNumbers", "Parallel", "Random", "Settings"]),
        .target(name: "FNO", dependencies: ["Train", "PDE", "LinearAlgebra", "Checkpoint", "ComplexNumbers", "PowerLaw", "Random", "Settings"]),
        // Experiment runners and their reports, above the trainers and Plot.
        .target(name: "Experiments", dependencies: ["Train", "FNO", "Plot", "Checkpoint", "Transformer", "Text", "Random", "Settings"]),
        // BERT-family encoders and their fine-tuning, above Train.
        .target(name: "Transformer", dependencies: ["Train", "Checkpoint", "LinearAlgebra", "Random", "Settings", "PowerLaw"]),

        // Command-line tool and benchmarks.
        .executableTarget(name: "htsr", dependencies: [
            "Analyzer", "Checkpoint", "CStartup", "LinearAlgebra", "Plot", "PowerLaw", "Settings", "Spectrum", "Train", "PDE", "FNO", "Experiments",
            .target(name: "CMPI", condition: .when(traits: ["MPI"])),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "Random", "Text", "Transformer",
        ]),
        .executableTarget(name: "BenchAnalyze", dependencies: ["Analyzer", "Checkpoint", "Spectrum", "LinearAlgebra"],
                          path: "Benchmarks/BenchAnalyze"),
        .executableTarget(name: "BenchEigen", dependencies: ["LinearAlgebra", "CStartup"],
                          path: "Benchmarks/BenchEigen"),
        .executableTarget(name: "BenchTrain", dependencies: ["Train", "LinearAlgebra", "CStartup", "Random"],
                          path: "Benchmarks/BenchTrain"),
        .executableTarget(name: "BenchFinetune", dependencies: ["Transformer", "Train", "LinearAlgebra", "CStartup", "Random"],
                          path: "Benchmarks/BenchFinetune"),
        .executableTarget(name: "BenchFNO", dependencies: ["FNO", "Train", "LinearAlgebra", "CStartup", "Random"],
                          path: "Benchmarks/BenchFNO"),
        .executableTarget(name: "BenchTokenize", dependencies: ["Text"], path: "Benchmarks/BenchTokenize"),
        .executableTarget(name: "BenchHDF5", dependencies: ["Checkpoint"], path: "Benchmarks/BenchHDF5"),

        // Tests: one target per module, plus end-to-end runs of the built binary.
        .testTarget(name: "RandomTests", dependencies: ["Random"]),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "ComplexNumbers"]),
        .testTarget(name: "StartupTests", dependencies: ["CStartup"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
        .testTarget(name: "PowerLawTests", dependencies: ["PowerLaw", "Random"]),
        .testTarget(name: "SpectrumTests", dependencies: ["Spectrum", "LinearAlgebra", "Random"]),
        .testTarget(name: "AnalyzerTests", dependencies: ["Analyzer", "Checkpoint", "PowerLaw", "Random", "Settings", "Spectrum"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "Analyzer", "Checkpoint", "Spectrum"]),
        // Central finite differences shared by the gradient checks of Train and FNO.
        .target(name: "GradientCheckSupport", path: "Tests/GradientCheckSupport"),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Analyzer", "Checkpoint", "GradientCheckSupport", "Random", "Settings"]),
        .testTarget(name: "PDETests", dependencies: ["PDE", "Checkpoint", "ComplexNumbers", "Parallel", "Random"]),
        .testTarget(name: "TextTests", dependencies: ["Text", "Checkpoint", "Random"]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "Train", "Checkpoint", "GradientCheckSupport", "Random"]),
        .testTarget(name: "FNOTests", dependencies: ["FNO", "Train", "PDE", "Checkpoint", "ComplexNumbers", "GradientCheckSupport", "Random", "Settings"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Plot", "Settings", "Train", "Checkpoint", "Text", "Transformer"]),
        .testTarget(name: "EndToEndTests", dependencies: ["htsr", "Checkpoint", "Random"]),
    ],
    swiftLanguageModes: [.v6]
)
