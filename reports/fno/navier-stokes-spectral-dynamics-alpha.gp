set terminal pngcairo size 720,480 noenhanced
set output 'navier-stokes-spectral-dynamics-alpha.png'
set title 'navier-stokes-spectral TempBalance rb 160 lr 0.0025 seed 1: PL_Alpha_Hill (xmin_pos 2) per layer'
set xlabel 'epoch'
set ylabel 'PL_Alpha_Hill (xmin_pos 2)'

set key outside right
set grid
plot 'navier-stokes-spectral-dynamics-alpha.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'fc0', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:3 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'conv0', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:4 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'w0', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:5 with lines lw 2 lc rgb '#d62728' dt 2 title 'conv1', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:6 with lines lw 2 lc rgb '#9467bd' dt 1 title 'w1', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:7 with lines lw 2 lc rgb '#8c564b' dt 2 title 'conv2', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:8 with lines lw 2 lc rgb '#e377c2' dt 1 title 'w2', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:9 with lines lw 2 lc rgb '#7f7f7f' dt 2 title 'conv3', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:10 with lines lw 2 lc rgb '#bcbd22' dt 1 title 'w3', \
     'navier-stokes-spectral-dynamics-alpha.dat' using 1:11 with lines lw 2 lc rgb '#17becf' dt 1 title 'fc1'
