set terminal pngcairo size 720,480 noenhanced
set output 'navier-stokes-dynamics-alpha.png'
set title 'navier-stokes TempBalance rb 160 lr 0.0025 seed 1: PL_Alpha_Hill (xmin_pos 2) per layer'
set xlabel 'epoch'
set ylabel 'PL_Alpha_Hill (xmin_pos 2)'

set key outside right
set grid
plot 'navier-stokes-dynamics-alpha.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'fc0', \
     'navier-stokes-dynamics-alpha.dat' using 1:3 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'w0', \
     'navier-stokes-dynamics-alpha.dat' using 1:4 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'w1', \
     'navier-stokes-dynamics-alpha.dat' using 1:5 with lines lw 2 lc rgb '#d62728' dt 1 title 'w2', \
     'navier-stokes-dynamics-alpha.dat' using 1:6 with lines lw 2 lc rgb '#9467bd' dt 1 title 'w3', \
     'navier-stokes-dynamics-alpha.dat' using 1:7 with lines lw 2 lc rgb '#8c564b' dt 1 title 'fc1'
