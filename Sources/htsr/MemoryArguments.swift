import ArgumentParser
import Checkpoint

/// `--max-memory`: the budget for weights, Gram matrices and training buffers (`MemoryBudget`).
struct MemoryArguments: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Memory budget for weights read, Gram matrices and training buffers, checked before they \
        are allocated (e.g. 8G, 512M, 2000000000). Default: 80 % of the memory available \
        (RAM, or a smaller cgroup limit).
        """, valueName: "SIZE"))
    var maxMemory: String?

    /// Checks the size and makes it the process's budget (ArgumentParser validates just
    /// before the command runs).
    func validate() throws {
        guard let text = maxMemory else { return }
        guard let budget = MemoryBudget.parse(text) else {
            throw ValidationError("--max-memory must be a positive size such as 8G, 512M or 2000000000; got '\(text)'.")
        }
        MemoryBudget.current = budget
    }
}
