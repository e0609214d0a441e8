// Plot module: data -> gnuplot scripts, and a runner.
