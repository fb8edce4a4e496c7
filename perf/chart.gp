# Client CPU by tool and workload: CPU-s per GiB (top) and CPU ms per object (bottom), log scale.
# Called by perf/lib/report.py as: gnuplot -e "dir='RUN'; ntools=N; out='RUN/chart.png'" perf/chart.gp
# Data: RUN/chart-<metric>.dat, one row per workload, one column per tool, "?" where a tool has no figure.
set terminal pngcairo size 1400,1000 font "sans,11"
set output out
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics mytics
set key outside right top vertical
set xtics nomirror
set multiplot layout 2,1 title "urestore vs peers: client CPU (user + sys, pinned to one core; lower is better)"
set title "CPU-s per GiB"
set ylabel "CPU-s / GiB"
plot for [i=2:ntools+1] dir."/chart-cpu_s_per_gib.dat" using i:xtic(1) title columnheader(i)
set title "CPU ms per object"
set ylabel "CPU ms / object"
plot for [i=2:ntools+1] dir."/chart-cpu_ms_per_object.dat" using i:xtic(1) title columnheader(i)
unset multiplot
