import Dispatch
import Testing
@testable import LinearAlgebra

/// Gram matrices in column panels (`SymmetricEigen.addGram`): correct for both sides, and the
/// same bits whoever runs the panels.
@Suite struct GramPanelTests {
    init() { BLASThreads.set(1) }

    /// Entry (i, j) of `WᵀW` or `WWᵀ` by a direct sum.
    func naiveEntry(_ w: [Double], rows: Int, cols: Int, side: SymmetricEigen.GramSide, _ i: Int, _ j: Int) -> Double {
        var s = 0.0
        if side == .columns { for r in 0..<rows { s += w[r * cols + i] * w[r * cols + j] } }
        else { for c in 0..<cols { s += w[i * cols + c] * w[j * cols + c] } }
        return s
    }

    /// Panels on several threads at once, in whatever order they are claimed.
    let concurrentPanels: SymmetricEigen.PanelRunner = { count, body in
        nonisolated(unsafe) let panel = body  // panels write disjoint parts of the Gram matrix
        DispatchQueue.concurrentPerform(iterations: count) { panel($0) }
    }

    @Test(arguments: [(1300, 1100), (1100, 1300), (700, 520), (40, 1500)])
    func panelsMatchDirectSumsAndAreScheduleIndependent(shape: (Int, Int)) {
        let (rows, cols) = shape
        let w = illConditioned(rows: rows, cols: cols, decades: 2)
        let side: SymmetricEigen.GramSide = rows >= cols ? .columns : .rows
        let n = min(rows, cols)
        let serial = w.withUnsafeBufferPointer { SymmetricEigen.gramOfSmallerSide($0, rows: rows, cols: cols).matrix }
        let threaded = w.withUnsafeBufferPointer {
            SymmetricEigen.gramOfSmallerSide($0, rows: rows, cols: cols, panels: concurrentPanels).matrix
        }
        var differing = 0
        for j in 0..<n { for i in j..<n where serial[j * n + i].bitPattern != threaded[j * n + i].bitPattern { differing += 1 } }
        #expect(differing == 0)
        // Direct sums on a lattice of entries covering every panel (and the diagonal).
        var worst = 0.0, scale = 0.0
        for j in stride(from: 0, to: n, by: 37) {
            for i in Array(stride(from: j, to: n, by: 53)) + [n - 1] {
                let reference = naiveEntry(w, rows: rows, cols: cols, side: side, i, j)
                worst = max(worst, abs(serial[j * n + i] - reference))
                scale = max(scale, abs(reference))
            }
        }
        #expect(worst <= 1e-13 * scale, "max |Δ| \(worst) of \(scale)")
    }

    /// Summing `BBᵀ` over column blocks (each gathered into its own buffer) gives `WWᵀ`.
    @Test func columnBlocksSumToTheGram() {
        let rows = 600, cols = 1700, width = 512
        let w = illConditioned(rows: rows, cols: cols, decades: 2)
        var g = [Double](repeating: 0, count: rows * rows)
        var c0 = 0
        while c0 < cols {
            let k = min(width, cols - c0)
            var block = [Double](repeating: 0, count: rows * k)
            for i in 0..<rows { for j in 0..<k { block[i * k + j] = w[i * cols + c0 + j] } }
            g.withUnsafeMutableBufferPointer { gp in
                block.withUnsafeBufferPointer { SymmetricEigen.addGram($0, rows: rows, cols: k, side: .rows, into: gp) }
            }
            c0 += k
        }
        let whole = w.withUnsafeBufferPointer { SymmetricEigen.gramOfSmallerSide($0, rows: rows, cols: cols).matrix }
        let top = whole.map(abs).max()!
        for j in 0..<rows { for i in j..<rows { #expect(abs(g[j * rows + i] - whole[j * rows + i]) <= 1e-13 * top) } }
    }

    @Test func emptyInnerDimensionGivesZeroGram() {
        var g = [Double](repeating: 7, count: 9)
        g.withUnsafeMutableBufferPointer { gp in
            [Double]().withUnsafeBufferPointer { SymmetricEigen.addGram($0, rows: 0, cols: 3, side: .columns, beta: 0, into: gp) }
        }
        #expect(g == [Double](repeating: 0, count: 9))
    }
}
