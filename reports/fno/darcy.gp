set terminal pngcairo size 720,480 noenhanced
set output 'darcy.png'
set title 'darcy: FNO on darcy32.h5, 3 seeds, lr grid 0.0025,0.005,0.01'
set logscale x
set xrange [0.4:150]
set xlabel 'training data (% of the pool)'
set ylabel 'test nRMSE (lower is better)'
set key top right
set grid
plot 'darcy.dat' using ($1*0.97):2:3 with yerrorlines lw 2 title 'baseline', \
     'darcy.dat' using ($1*1.03):4:5 with yerrorlines lw 2 title 'TempBalance'
