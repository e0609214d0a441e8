#!/usr/bin/env python3
"""Writes fixtures/statistics/scipy.json: scipy's values for the statistics of the experiment
protocol (read by Tests/ExperimentsTests/StatisticsTests.swift).

    PY=$(Scripts/python-env numpy scipy); "$PY" Scripts/make-stats-fixture.py

Sections (every number a float64 printed with repr, so it reads back exactly):
  betainc      [{x, a, b, value}]                 scipy.special.betainc(a, b, x)
  t_cdf        [{t, df, cdf, sf}]                 scipy.stats.t.cdf / .sf
  t_ppf        [{p, df, value}]                   scipy.stats.t.ppf
  paired       [{treatment, control, direction, mean, std, low, high, p_better, p_worse,
                 p_signed_rank, p_sign}]          ttest_rel (one-sided), t.interval(0.95),
                                                  wilcoxon(method="exact", one-sided; no ties or
                                                  zeros in these samples), binomtest (one-sided)
"""
import json
import pathlib

import numpy as np
import scipy
from scipy import special, stats

out = {"scipy": scipy.__version__, "betainc": [], "t_cdf": [], "t_ppf": [], "paired": []}

for a, b in [(0.5, 0.5), (1, 1), (2.5, 0.5), (0.5, 2.5), (3, 0.5), (10, 0.5), (50, 0.5), (7.5, 12.25), (200, 0.5)]:
    for x in [1e-12, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999999]:
        out["betainc"].append({"x": x, "a": a, "b": b, "value": float(special.betainc(a, b, x))})

for df in [1, 2, 3, 5, 7, 11, 29, 100, 1000]:
    for t in [-40.0, -6.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 2.2, 3.5, 8.0, 40.0]:
        out["t_cdf"].append({"t": t, "df": df, "cdf": float(stats.t.cdf(t, df)), "sf": float(stats.t.sf(t, df))})
    for p in [1e-9, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999]:
        out["t_ppf"].append({"p": p, "df": df, "value": float(stats.t.ppf(p, df))})

rng = np.random.default_rng(20261204)
cases = []
for n, shift, direction in [(6, -0.02, "lower"), (6, 0.01, "lower"), (8, 0.5, "higher"), (8, -0.2, "higher"),
                            (10, 0.0, "lower"), (12, -0.3, "lower"), (7, 0.8, "higher"), (20, 0.1, "higher")]:
    control = rng.normal(1.0, 0.1, n)
    treatment = control + shift + rng.normal(0, 0.05 if direction == "lower" else 0.5, n)
    cases.append((treatment, control, direction))
for treatment, control, direction in cases:
    d = treatment - control
    assert len(set(np.abs(d))) == len(d) and np.all(d != 0), "the fixture's samples must have no ties or zeros"
    better = "less" if direction == "lower" else "greater"
    worse = "greater" if direction == "lower" else "less"
    gain = -d if direction == "lower" else d
    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    out["paired"].append({
        "treatment": [float(v) for v in treatment], "control": [float(v) for v in control], "direction": direction,
        "mean": float(d.mean()), "std": float(d.std(ddof=1)), "low": float(low), "high": float(high),
        "p_better": float(stats.ttest_rel(treatment, control, alternative=better).pvalue),
        "p_worse": float(stats.ttest_rel(treatment, control, alternative=worse).pvalue),
        "p_signed_rank": float(stats.wilcoxon(gain, alternative="greater", method="exact").pvalue),
        "p_sign": float(stats.binomtest(int((gain > 0).sum()), len(gain), 0.5, alternative="greater").pvalue),
    })

path = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "statistics" / "scipy.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path} (scipy {scipy.__version__})")
