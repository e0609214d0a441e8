import Checkpoint
import Testing
@testable import Train

/// The MLP's memory plan: exact for sane sizes, an error (never a trap) for absurd ones.
struct MLPMemoryPlanTests {
    @Test func theMLPPlanCountsParametersStateAndActivations() {
        let c = MLPConfig(inputs: 64, hidden: [32], classes: 10)
        let plan = c.memoryPlan(maxBatch: 256)
        // fc1: 32×(64+1)×4 bytes ×4 copies; fc2: 10×33×4×4; spectra 3·32²·8 + 3·10²·8;
        // activations 256×(64 + 2·32 + 2·10)×4×2.
        #expect(plan.total == 32 * 65 * 16 + 10 * 33 * 16 + 3 * 32 * 32 * 8 + 3 * 10 * 10 * 8 + 256 * 148 * 8)
    }

    @Test func absurdWidthsAreABudgetErrorNamingTheLayer() {
        for hidden in [[1 << 62], [100_000_000, 100_000_000], [64, Int.max]] {
            let plan = MLPConfig(inputs: 784, hidden: hidden, classes: 10).memoryPlan(maxBatch: 256)
            #expect(throws: MemoryBudgetError.self) { try plan.check("training", against: MemoryBudget(bytes: 24 << 30)) }
            do { try plan.check("training", against: MemoryBudget(bytes: 24 << 30)) } catch let e as MemoryBudgetError {
                #expect(e.what.contains("largest: layer fc"), "\(e)")
            } catch { Issue.record("\(error)") }
        }
    }
}
