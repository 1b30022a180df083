#!/usr/bin/env bash
# Week 2 figures for BENCHMARKS.md: char-steps per second of the RNN and the LSTM
# and the attention model's step time, natively and in headless Chromium on each
# backend; the default runs' validation losses and recall accuracies.
# Needs `cargo build --release` and `trunk build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/reasonlab
pick() { python3 -c "import json,sys
d=json.loads(sys.stdin.read().strip().splitlines()[-1])
print('  '.join(f'{k}={d[k]:.4g}' if isinstance(d.get(k),(int,float)) else f'{k}={d.get(k)}' for k in sys.argv[1:]))" "$@"; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "== native (release), load $(load)"
for lab in rnn lstm; do
  printf '%-16s ' "$lab default"; $bin run $lab --seed 1 --json | pick params val_loss train_loss chars_per_sec seconds
done
printf '%-16s ' "attention-map"; $bin run attention-map --seed 1 --json | pick accuracy ms_per_step seconds
printf '%-16s ' "multihead"; $bin run multihead --seed 1 --json | pick accuracy ms_per_step seconds
printf '%-16s ' "rnn-vs-lstm"; $bin run rnn-vs-lstm --seed 1 --json | pick rnn_accuracy_at_1 rnn_accuracy_at_20 rnn_accuracy_at_50 lstm_accuracy_at_50 rnn_ms_per_step lstm_ms_per_step lstm_steps_to_90 seconds
printf '%-16s ' "attention-vs-rnn"; $bin run attention-vs-rnn --seed 1 --json | pick rnn_accuracy_at_50 lstm_accuracy_at_50 attention_accuracy_at_50 rnn_ms_per_step lstm_ms_per_step attention_ms_per_step attention_steps_to_90 lstm_steps_to_90 seconds

echo "== browser (headless Chromium), load $(load)"
page() { node scripts/run-lab-page.mjs "$1" "${2:-900}" | pick backend "${@:3}"; }
for lab in rnn lstm; do
  printf '%-16s ' "$lab cpu"; page "#lab=$lab&seed=1&backend=cpu&run=1" 900 params val_loss chars_per_sec wall_seconds
  printf '%-16s ' "$lab webgpu"; page "#lab=$lab&steps=5&seed=1&backend=webgpu&run=1" 900 chars_per_sec wall_seconds
done
printf '%-16s ' "attention-map cpu"; page "#lab=attention-map&seed=1&backend=cpu&run=1" 900 accuracy ms_per_step wall_seconds
printf '%-16s ' "attention-map gpu"; page "#lab=attention-map&steps=20&seed=1&backend=webgpu&run=1" 900 accuracy ms_per_step wall_seconds
printf '%-16s ' "rnn-vs-lstm cpu"; page "#lab=rnn-vs-lstm&seed=1&backend=cpu&run=1" 900 rnn_accuracy_at_50 lstm_accuracy_at_50 rnn_ms_per_step lstm_ms_per_step wall_seconds
echo "load at the end $(load)"
