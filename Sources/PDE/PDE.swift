// PDE module: solvers that generate PDEBench-layout data.
