/// The version of htsr, written into every output (analysis JSON, policy files, generated data
/// sets) and printed by `htsr --version`. Declared here, in the lowest module that writes files,
/// so that every writer can name it.
public let htsrVersion = "0.1.0"
