#!/usr/bin/env bash
# gemma4j against llama.cpp on the same GGUF files, interleaved in one sitting (see docs/benchmarks.md).
#   REFGEMMA=/path/to/writable/copy/of/shared/tools/refgemma samples/bench/compare-llamacpp.sh FILE.gguf...
# REFGEMMA must have node_modules (npm install) and the perf models (gen_perf_models.sh). Each file is
# measured by llama.cpp (js/bench_llamacpp.mjs, 2 threads) and then by `gemma4j bench` with the same
# prompt rule, prompt length and decode length; the memory bandwidth is probed before and after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${REFGEMMA:?set REFGEMMA to a writable copy of shared/tools/refgemma with node_modules and perf models}"
THREADS=${THREADS:-2}; REPS=${REPS:-3}; PROMPT=${PROMPT:-512}; GEN=${GEN:-64}
out=${OUT:-$root/docs/bench-results}
mkdir -p "$out" "$REFGEMMA/perf/bin"
gcc -O3 -march=native -fopenmp "$REFGEMMA/c/membw.c" -o "$REFGEMMA/perf/bin/membw"
membw() {
  OMP_NUM_THREADS=$THREADS OMP_PROC_BIND=true "$REFGEMMA/perf/bin/membw" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["GB_s"]["read"]["median"])'
}
bw_before=$(membw)
echo "memory read bandwidth, $THREADS threads: $bw_before GB/s" | tee "$out/membw.txt"
for gguf in "$@"; do
  name=$(basename "$(dirname "$gguf")")-$(basename "$gguf" .gguf)
  echo "== $gguf"
  (cd "$REFGEMMA" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true NODE_LLAMA_CPP_GPU=false node js/bench_llamacpp.mjs \
      --gguf "$gguf" --threads "$THREADS" --reps "$REPS" --prefill "$PROMPT" --decode "$GEN" \
      --out "$out/llamacpp-$name.json") | tail -1
  "$root/samples/bin/gemma4j" bench --model "$gguf" --threads "$THREADS" --prompt-tokens "$PROMPT" \
      --gen-tokens "$GEN" --repeat "$REPS" --llamacpp "$out/llamacpp-$name.json" --bandwidth "$bw_before" \
      --format json | tee "$out/gemma4j-$name.json"
done
bw_after=$(membw)
echo "memory read bandwidth after: $bw_after GB/s" | tee -a "$out/membw.txt"
