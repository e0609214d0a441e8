import Dispatch
import Parallel
import Testing

@Suite struct ResultSlotsTests {
    /// 8 threads take the items 0..<1000 from one counter and store i·i: every item is handed out
    /// exactly once and the slots come back in item order, all filled.
    @Test func workersFillEverySlotOnce() {
        let count = 1000
        let counter = WorkCounter(count: count)
        let slots = ResultSlots<Int>(count: count)
        let taken = ResultSlots<Int>(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { w in
            var mine = 0
            while let i = counter.next() {
                slots.store(i * i, at: i)
                mine += 1
            }
            taken.store(mine, at: w)
        }
        #expect(slots.filled == count)
        #expect(slots.values == (0..<count).map { Optional($0 * $0) })
        #expect(taken.values.map { $0 ?? -1 }.reduce(0, +) == count)
        #expect(counter.next() == nil)
    }

    @Test func storingTwiceCountsOnce() {
        let slots = ResultSlots<String>(count: 3)
        #expect(slots.store("a", at: 1) == 1)
        #expect(slots.store("b", at: 1) == 1)
        #expect(slots.store("c", at: 0) == 2)
        #expect(slots.values == ["c", "b", nil])
    }

    private struct Problem: Error, Equatable { let name: String }

    /// The first error is kept unless `prefer` says the new one is better.
    @Test func firstErrorAndPreference() {
        let slots = ResultSlots<Int>(count: 1)
        #expect(!slots.hasError)
        slots.fail(Problem(name: "first"))
        slots.fail(Problem(name: "second"))
        #expect(slots.firstError as? Problem == Problem(name: "first"))
        slots.fail(Problem(name: "figure")) { new, _ in (new as? Problem)?.name == "figure" }
        #expect(slots.firstError as? Problem == Problem(name: "figure"))
        #expect(slots.hasError)
    }

    @Test func stoppedCounterHandsOutNothing() {
        let counter = WorkCounter(count: 5)
        #expect(counter.next() == 0)
        counter.stop()
        #expect(counter.next() == nil)
    }
}
