#!/usr/bin/env bash
# The cot lab's 4-digit presets on seeds no preset was chosen on, each model
# scored on 1,000 fresh problems that leave out every question it trained on
# (`data --exclude`), for BENCHMARKS.md (issue 32: every seed ≥ 0.99).
# Needs `cargo build --release`.
#   bash scripts/bench-presets.sh [SEED...]        (default: 21 22 23 24 25)
# TASKS="sub" limits the tasks; EXTRA="--train_n 50000" adds settings to every
# run (how a candidate preset is tried on validation seeds first).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/reasonlab
seeds=("$@")
[ $# -eq 0 ] && seeds=(21 22 23 24 25)
dir=$(mktemp -d)
for task in ${TASKS:-add sub}; do
  for seed in "${seeds[@]}"; do
    $bin run cot --task "$task" --level 4 --steps 2000 --eval_every 500 --width 96 --layers 3 --seed "$seed" ${EXTRA:-} --json --save "$dir/m.st" 2>/dev/null | tail -1 > "$dir/run.json"
    $bin data --task "$task" --digits 4 --n 1000 --seed "$((seed + 1000))" --exclude "$dir/m.st" > "$dir/fresh.jsonl"
    $bin eval --model "$dir/m.st" --data "$dir/fresh.jsonl" --json | tail -1 > "$dir/eval.json"
    python3 - "$task" "$seed" "$dir/run.json" "$dir/eval.json" "${EXTRA:-}" <<'PY'
import json, sys
task, seed, run, ev = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
print(json.dumps({'task': task, 'seed': seed, 'extra': sys.argv[5], 'lab_accuracy': run['accuracy'], 'fresh': ev['accuracy'], 'fresh_ci': [ev['accuracy_lo'], ev['accuracy_hi']],
                  'fresh_n': ev['total'], 'in_training': ev['in_training'], 'seconds': round(run['seconds'], 1), 'load_before': run['load_before']}))
PY
  done
done
rm -rf "$dir"
