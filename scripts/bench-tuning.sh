#!/usr/bin/env bash
# Days 26–27 for BENCHMARKS.md: each edge preset (GRPO, PPO, DPO) on fresh
# seeds, each seed its own warm-up to the edge (an independently trained
# start), natively. Per run: the start, the tuned model and its control (the
# same start fine-tuned on the right chains of the same questions, as many
# updates) on the same 200 held-out questions, the gain over the control with
# its paired 95 % interval, and the easier set. Needs `cargo build --release`.
#   bash scripts/bench-tuning.sh [SEED...]     (default: 11 12 13)
# METHODS="grpo grpo-steps" picks the methods (default: grpo ppo dpo);
# grpo-steps is GRPO rewarded for correct reasoning (half the answer, half
# the share of the chain's steps the checker accepts) on the same starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/reasonlab
seeds=("$@")
[ $# -eq 0 ] && seeds=(11 12 13)
edge=(--task add --level 3 --easy_level 2 --warmup 2000 --warmup_to edge --easier 0.25)
declare -A method=(
  [grpo]="ppo --method grpo --questions 16 --steps 360 --eval_every 120"
  [grpo-steps]="ppo --method grpo --reward steps --questions 16 --steps 360 --eval_every 120"
  [ppo]="ppo --method ppo --questions 16 --value_warmup 20 --steps 360 --eval_every 120"
  [dpo]="dpo --steps 200 --eval_every 50"
)
out=$(mktemp)
for m in ${METHODS:-grpo ppo dpo}; do
  for seed in "${seeds[@]}"; do
    # shellcheck disable=SC2086
    $bin run ${method[$m]} "${edge[@]}" --seed "$seed" --json | tail -1 | python3 -c "
import json, sys
d = json.loads(sys.stdin.read())
print(json.dumps({'method': '$m', 'seed': $seed, 'warmup': [d.get('warmup_steps'), d.get('warmup_accuracy')],
  'start': d['start_accuracy'], 'tuned': d['accuracy'], 'control': d['control_accuracy'],
  'gain': d['gain'], 'gain_ci': [d['gain_lo'], d['gain_hi']],
  'over_control': d['gain_over_control'], 'over_control_ci': [d['gain_over_control_lo'], d['gain_over_control_hi']],
  'easy_start': d.get('easy_start_accuracy'), 'easy': d.get('easy_accuracy'), 'n': d['accuracy_n'],
  'pass1': [d.get('pass1_start'), d.get('pass1')], 'pass8': [d.get('pass8_start'), d.get('pass8')],
  'steps_checked': [d.get('start_step_accuracy'), d.get('step_accuracy'), d.get('control_step_accuracy')],
  'seconds': round(d['seconds'], 1), 'load_before': d['load_before'], 'load_after': d['load_after']}))" | tee -a "$out"
  done
done
# Per method over the starts: the mean and its 95 % t-interval.
python3 - "$out" <<'PY'
import collections, json, math, sys
T = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    by[r['method']].append(r)
for m, rs in by.items():
    for key in ['gain', 'over_control']:
        v = [r[key] for r in rs]
        n, mean = len(v), sum(v) / len(v)
        h = T.get(n - 1, 2.0) * math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1) / n) if n > 1 else float('nan')
        print(f'{m} {key}: mean {100 * mean:+.1f} points (95 % t-interval over {n} starts {100 * (mean - h):+.1f} to {100 * (mean + h):+.1f}); each ' + ', '.join(f'{100 * x:+.1f}' for x in v))
PY
rm -f "$out"
