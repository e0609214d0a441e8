/// Fluxes of one face: mass, normal momentum, tangential momentum, energy.
struct FaceFlux {
    var mass = 0.0, normal = 0.0, tangential = 0.0, energy = 0.0
}

extension CompressibleFlowSolver {
    /// `r = L(u) = −(1/h) Σ_faces ±F`: the finite-volume rate of change of the conserved variables.
    func rates(_ u: Conserved, into r: inout Conserved, work: inout Work) {
        let cells = n * n, h = 1 / Double(n), g = gamma
        // Primitive variables.
        work.w.withUnsafeMutableBufferPointer { w in
            for k in 0..<cells {
                let rho = u.rho[k], vx = u.mx[k] / rho, vy = u.my[k] / rho
                w[k] = rho; w[cells + k] = vx; w[2 * cells + k] = vy
                w[3 * cells + k] = (g - 1) * (u.e[k] - 0.5 * rho * (vx * vx + vy * vy))
            }
        }
        for k in 0..<cells { r.rho[k] = 0; r.mx[k] = 0; r.my[k] = 0; r.e[k] = 0 }
        for direction in 0..<2 {
            // Cell (i, j) → neighbour index along the direction: x moves i (stride n), y moves j.
            func neighbour(_ k: Int, _ step: Int) -> Int {
                let i = k / n, j = k % n
                return direction == 0 ? ((i + step + n) % n) * n + j : i * n + (j + step + n) % n
            }
            work.w.withUnsafeBufferPointer { w in
                work.slope.withUnsafeMutableBufferPointer { s in
                    for v in 0..<4 {
                        let base = v * cells
                        for k in 0..<cells {
                            let a = w[base + k] - w[base + neighbour(k, -1)], b = w[base + neighbour(k, 1)] - w[base + k]
                            s[base + k] = a * b > 0 ? 2 * a * b / (a + b) : 0      // van Leer
                        }
                    }
                }
            }
            work.w.withUnsafeBufferPointer { w in
                work.slope.withUnsafeBufferPointer { s in
                    for left in 0..<cells {
                        let right = neighbour(left, 1)
                        // Normal / tangential velocity components for this direction.
                        let (nv, tv) = direction == 0 ? (cells, 2 * cells) : (2 * cells, cells)
                        let rl = w[left] + 0.5 * s[left], rr = w[right] - 0.5 * s[right]
                        let ul = w[nv + left] + 0.5 * s[nv + left], ur = w[nv + right] - 0.5 * s[nv + right]
                        let vl = w[tv + left] + 0.5 * s[tv + left], vr = w[tv + right] - 0.5 * s[tv + right]
                        let pl = w[3 * cells + left] + 0.5 * s[3 * cells + left], pr = w[3 * cells + right] - 0.5 * s[3 * cells + right]
                        var f = hllc(rl, ul, vl, pl, rr, ur, vr, pr)
                        viscous(&f, left: left, right: right, w: w, direction: direction, h: h)
                        let (mn, mt) = (f.normal / h, f.tangential / h)
                        r.rho[left] -= f.mass / h; r.rho[right] += f.mass / h
                        r.e[left] -= f.energy / h; r.e[right] += f.energy / h
                        if direction == 0 {
                            r.mx[left] -= mn; r.mx[right] += mn; r.my[left] -= mt; r.my[right] += mt
                        } else {
                            r.my[left] -= mn; r.my[right] += mn; r.mx[left] -= mt; r.mx[right] += mt
                        }
                    }
                }
            }
        }
    }

    /// The HLLC flux (Toro, Spruce & Speares 1994) between left and right primitive states
    /// (density, normal velocity, tangential velocity, pressure), with Davis' wave speeds
    /// `S_L = min(u_L − c_L, u_R − c_R)`, `S_R = max(u_L + c_L, u_R + c_R)`.
    @inline(__always)
    func hllc(_ rl: Double, _ ul: Double, _ vl: Double, _ pl: Double,
              _ rr: Double, _ ur: Double, _ vr: Double, _ pr: Double) -> FaceFlux {
        let g = gamma
        let cl = (g * pl / rl).squareRoot(), cr = (g * pr / rr).squareRoot()
        let el = pl / (g - 1) + 0.5 * rl * (ul * ul + vl * vl), er = pr / (g - 1) + 0.5 * rr * (ur * ur + vr * vr)
        let sl = min(ul - cl, ur - cr), sr = max(ul + cl, ur + cr)
        func physical(_ r: Double, _ u: Double, _ v: Double, _ p: Double, _ e: Double) -> FaceFlux {
            FaceFlux(mass: r * u, normal: r * u * u + p, tangential: r * u * v, energy: u * (e + p))
        }
        if sl >= 0 { return physical(rl, ul, vl, pl, el) }
        if sr <= 0 { return physical(rr, ur, vr, pr, er) }
        let star = (pr - pl + rl * ul * (sl - ul) - rr * ur * (sr - ur)) / (rl * (sl - ul) - rr * (sr - ur))
        // F*_K = F_K + S_K (U*_K − U_K), U*_K = ρ_K (S_K − u_K)/(S_K − S*) (1, S*, v_K, E_K/ρ_K + (S* − u_K)(S* + p_K/(ρ_K (S_K − u_K)))).
        func starFlux(_ r: Double, _ u: Double, _ v: Double, _ p: Double, _ e: Double, _ sk: Double) -> FaceFlux {
            let f = physical(r, u, v, p, e)
            let factor = r * (sk - u) / (sk - star)
            let eStar = factor * (e / r + (star - u) * (star + p / (r * (sk - u))))
            return FaceFlux(mass: f.mass + sk * (factor - r), normal: f.normal + sk * (factor * star - r * u),
                            tangential: f.tangential + sk * (factor * v - r * v), energy: f.energy + sk * (eStar - e))
        }
        return star >= 0 ? starFlux(rl, ul, vl, pl, el, sl) : starFlux(rr, ur, vr, pr, er, sr)
    }

    /// Subtracts the viscous flux `σ'·n` (and `v·σ'·n` for energy) at the face between `left` and
    /// `right` along `direction`: normal derivatives by the difference across the face,
    /// tangential ones by the mean of the two cells' central differences; `μ = η ρ_face`,
    /// `μ_b = ζ ρ_face`.
    @inline(__always)
    func viscous(_ f: inout FaceFlux, left: Int, right: Int, w: UnsafeBufferPointer<Double>, direction: Int, h: Double) {
        guard shearViscosity > 0 || bulkViscosity > 0 else { return }
        let cells = n * n
        let (nv, tv) = direction == 0 ? (cells, 2 * cells) : (2 * cells, cells)
        // Across-face cell pairs in the tangential direction: neighbours along the other axis.
        func tangentialNeighbour(_ k: Int, _ step: Int) -> Int {
            let i = k / n, j = k % n
            return direction == 0 ? i * n + (j + step + n) % n : ((i + step + n) % n) * n + j
        }
        let dun = (w[nv + right] - w[nv + left]) / h           // ∂(normal velocity)/∂(normal)
        let dvn = (w[tv + right] - w[tv + left]) / h           // ∂(tangential velocity)/∂(normal)
        let (lp, lm, rp, rm) = (tangentialNeighbour(left, 1), tangentialNeighbour(left, -1), tangentialNeighbour(right, 1), tangentialNeighbour(right, -1))
        let dut = (w[nv + lp] - w[nv + lm] + w[nv + rp] - w[nv + rm]) / (4 * h)   // ∂(normal velocity)/∂(tangential)
        let dvt = (w[tv + lp] - w[tv + lm] + w[tv + rp] - w[tv + rm]) / (4 * h)   // ∂(tangential velocity)/∂(tangential)
        let rho = 0.5 * (w[left] + w[right])
        let mu = shearViscosity * rho, muB = bulkViscosity * rho
        let div = dun + dvt
        let sigmaNN = mu * (2 * dun - 2.0 / 3.0 * div) + muB * div
        let sigmaNT = mu * (dut + dvn)
        let un = 0.5 * (w[nv + left] + w[nv + right]), ut = 0.5 * (w[tv + left] + w[tv + right])
        f.normal -= sigmaNN
        f.tangential -= sigmaNT
        f.energy -= un * sigmaNN + ut * sigmaNT
    }
}
