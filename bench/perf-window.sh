#!/usr/bin/env bash
# Where a workload's time goes during its timed section only, by thread: perf samples (5 kHz) of
# the main thread, memtrace's writer thread and the other threads (V8's workers, which compile and
# collect garbage; their samples in V8's optimising compiler counted apart), and the main thread's
# and the other threads' symbols, summed over the runs. Needs Linux perf.
#
#   bench/perf-window.sh NAME plain|bare|full [WORKLOAD] [SCALE] [RUNS] [DIST]
#
# Writes bench/results/perf-window/NAME.main (main-thread symbols), NAME.threads (every other
# thread's) and prints one line per run. DIST
# (default ./dist) is the build to run; NODE picks another node. Compare two names with
#   join -j2 -a1 -a2 -e0 -o 0,1.1,2.1 <(sort -k2 A.main) <(sort -k2 B.main)
# or by eye. The window comes from the workload (BENCH_WINDOW=1, bench/workloads/common.js), the
# samples are stamped on the same clock (perf record -k CLOCK_MONOTONIC).
set -euo pipefail
name=${1:?name}
kind=${2:?plain, bare or full}
workload=${3:-handlebars}
scale=${4:-1}
runs=${5:-2}
here=$(cd "$(dirname "$0")" && pwd)
dist=$(cd "${6:-$here/../dist}" && pwd)
node=${NODE:-node}
out=$here/results/perf-window
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/main"
: >"$tmp/threads"
case $kind in
  plain) args=() ;;
  bare) args=(--import "$here/bare-runtime.js") ;;
  full) args=(--import "$dist/loader/register.js") ;;
  *) echo "perf-window: $kind is not plain, bare or full" >&2; exit 2 ;;
esac
for run in $(seq "$runs"); do
  (cd "$here" && BENCH_WINDOW=1 BENCH_DIST="$dist/" MEMTRACE_INCLUDE='**/*' MEMTRACE_OUT="$tmp/trace" \
    MEMTRACE_CACHE_DIR="$tmp/cache" perf record -q -k CLOCK_MONOTONIC -F 4999 -o "$tmp/perf.data" \
    "$node" --perf-basic-prof "${args[@]}" "workloads/$workload.js" "$scale" >"$tmp/stdout" 2>"$tmp/stderr")
  read -r _ t0 t1 < <(grep '^WINDOW ' "$tmp/stderr")
  figures=$(grep -o '"workMs":[0-9.]*,"workCpuMs":[0-9.]*' "$tmp/stdout")
  # Samples in the window as "tid<TAB>is main<TAB>symbol"; the writer is the thread with samples in
  # the addon's row formatter.
  perf script -i "$tmp/perf.data" -F pid,tid,time,ip,sym 2>/dev/null |
    awk -v t0="$t0" -v t1="$t1" '{
      split($1, ids, "/"); t = $2; sub(/:$/, "", t); t = t * 1e9; if (t < t0 || t > t1) next;
      sym = ""; for (i = 4; i <= NF; i++) sym = sym " " $i; sub(/^ /, "", sym); gsub(/\[JIT\] tid [0-9]+ /, "", sym);
      print ids[2] "\t" (ids[1] == ids[2]) "\t" sym }' >"$tmp/window"
  awk -F'\t' -v figures="$figures" -v main="$tmp/main" -v threads="$tmp/threads" '
    { n[$1]++; if ($2 == 1) first = $1; if ($3 ~ /FormatEvents/) w[$1]++; sym[NR] = $3; tid[NR] = $1 }
    END {
      for (t in n) cls[t] = t == first ? "main" : (w[t] > 0 ? "writer" : "other");
      for (i = 1; i <= NR; i++) {
        k[cls[tid[i]]]++
        if (cls[tid[i]] == "main") print sym[i] >> main; else print sym[i] >> threads
        if (cls[tid[i]] == "other" && sym[i] ~ /compiler::/) compiler++
      }
      printf "%s  main %d  writer %d  other %d (in the compiler %d)\n", figures, k["main"], k["writer"], k["other"], compiler }' "$tmp/window"
done
sort "$tmp/main" | uniq -c | sort -rn >"$out/$name.main"
sort "$tmp/threads" | uniq -c | sort -rn >"$out/$name.threads"
echo "perf-window: symbols in $out/$name.main and $out/$name.threads"
