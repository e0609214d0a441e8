import Foundation
import Testing
@testable import Train

/// Schedule values at chosen steps against their formulas.
@Suite struct ScheduleTests {
    @Test func constant() {
        let s = ScheduleKind.constant.schedule(base: 0.1, totalSteps: 100)
        #expect(s(0) == 0.1 && s(99) == 0.1)
    }

    @Test func cosine() {
        let s = ScheduleKind.cosine.schedule(base: 1, totalSteps: 100, minRatio: 0.1)
        #expect(abs(s(0) - 1) < 1e-7)
        #expect(abs(s(50) - 0.55) < 1e-6)           // midpoint: (1 + 0.1) / 2
        #expect(abs(s(25) - Float(0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2)) < 1e-6)
        #expect(abs(s(100) - 0.1) < 1e-7)
    }

    @Test func step() {
        let s = ScheduleKind.step.schedule(base: 2.5e-3, totalSteps: 1000, stepSize: 100, gamma: 0.5)
        #expect(s(0) == 2.5e-3 && s(99) == 2.5e-3)
        #expect(abs(s(100) - 1.25e-3) < 1e-9)
        #expect(abs(s(350) - 3.125e-4) < 1e-9)
    }

    @Test func warmupThenLinearDecay() {
        // 6 % warmup of 100 steps, as the RoBERTa recipe.
        let s = ScheduleKind.linear.schedule(base: 1, totalSteps: 100, warmup: 6)
        #expect(s(0) == 0)
        #expect(abs(s(3) - 0.5) < 1e-7)
        #expect(s(6) == 1)
        #expect(abs(s(53) - 0.5) < 1e-7)           // (100 − 53) / 94
        #expect(s(100) == 0)
    }
}
