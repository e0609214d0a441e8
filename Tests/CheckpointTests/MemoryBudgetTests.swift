import Foundation
import Testing
@testable import Checkpoint

/// `MemoryBudget`, `MemoryPlan` and `MemoryLedger` on their own (the process-wide budget is
/// not changed here: other tests run concurrently; the end-to-end tests use `--max-memory`).
@Suite struct MemoryBudgetTests {
    @Test func sizesParse() {
        #expect(MemoryBudget.parse("8G")?.bytes == 8 << 30)
        #expect(MemoryBudget.parse("512MiB")?.bytes == 512 << 20)
        #expect(MemoryBudget.parse("1.5g")?.bytes == 3 << 29)
        #expect(MemoryBudget.parse("64 KB")?.bytes == 64 << 10)
        #expect(MemoryBudget.parse("2000000000")?.bytes == 2_000_000_000)
        #expect(MemoryBudget.parse("1T")?.bytes == 1 << 40)
        for bad in ["", "0", "-1", "nan", "inf", "1e30", "8X", "G", "1.2.3G", "8GG"] {
            #expect(MemoryBudget.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func theDefaultIsAShareOfTheAvailableMemory() {
        let available = MemoryBudget.availableMemory()
        #expect(available > 0)
        #expect(MemoryBudget.default.bytes == Int(Double(available) * 0.8))
    }

    @Test func checksNameWhatAndHowMuch() {
        let budget = MemoryBudget(bytes: 1 << 20)
        #expect(throws: Never.self) { try budget.check(1 << 20, for: "x") }
        do {
            try budget.check(3 << 20, for: "layer 'fc1' (shape 1024×768)")
            Issue.record("no error")
        } catch let e as MemoryBudgetError {
            #expect(e.description == "layer 'fc1' (shape 1024×768) needs 3.0 MiB (3145728 bytes), more than the memory budget of 1.0 MiB")
        } catch { Issue.record("\(error)") }
        #expect(MemoryBudget.bytes(1 << 40, 1 << 30) == nil)
        #expect(MemoryBudget.bytes(3, -1) == nil)
        #expect(throws: MemoryBudgetError.self) { try budget.check(nil, for: "x") }
    }

    @Test func plansAddUpAndNameTheLargestPart() {
        var plan = MemoryPlan()
        plan.add("layer fc1", elements: [1000, 1000], bytesEach: 4, copies: 4)
        plan.add("activations", elements: [256, 100], bytesEach: 4)
        #expect(plan.total == 16_000_000 + 102_400)
        #expect(throws: Never.self) { try plan.check("training", against: MemoryBudget(bytes: 1 << 30)) }
        do {
            try plan.check("training", against: MemoryBudget(bytes: 1 << 20))
            Issue.record("no error")
        } catch let e as MemoryBudgetError {
            #expect(e.what == "training (largest: layer fc1, 15 MiB)" && e.needed == 16_102_400)
        } catch { Issue.record("\(error)") }
        plan.add("huge", elements: [1 << 62, 4], bytesEach: 4)
        #expect(plan.total == nil)
        #expect(throws: MemoryBudgetError.self) { try plan.check("training", against: MemoryBudget(bytes: .max)) }
    }

    @Test func aLedgerMakesConcurrentReservationsWait() throws {
        let ledger = MemoryLedger(budget: MemoryBudget(bytes: 100))
        try ledger.reserve(60, for: "a")
        let reserved = DispatchSemaphore(value: 0)
        let order = Order()
        Thread.detachNewThread {
            try? ledger.reserve(60, for: "b")
            order.append("b")
            reserved.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        order.append("release a")
        ledger.release(60)
        reserved.wait()
        #expect(order.items == ["release a", "b"])
        #expect(throws: MemoryBudgetError.self) { try ledger.reserve(101, for: "too big") }
    }

    final class Order: @unchecked Sendable {   // guarded by `lock`
        private let lock = NSLock()
        private var list: [String] = []
        func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }
}
