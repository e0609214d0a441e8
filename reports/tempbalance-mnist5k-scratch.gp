set terminal pngcairo size 720,480 noenhanced
set output 'tempbalance-mnist5k-scratch.png'
set title 'tempbalance-mnist5k-scratch: mnist5k, MLP 256-256-256-256, 3 seeds'
set logscale x
set xrange [0.7:140]
set xlabel 'training data (% of the pool)'
set ylabel 'test accuracy (%)'
set key bottom right
set grid
plot 'tempbalance-mnist5k-scratch.dat' using ($1*0.97):2:3 with yerrorlines lw 2 title 'baseline', \
     'tempbalance-mnist5k-scratch.dat' using ($1*1.03):4:5 with yerrorlines lw 2 title 'TempBalance'
