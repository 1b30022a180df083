#!/usr/bin/env bash
# The `gpt` lab's race against nanoGPT on texts, natively, one run after the
# other in one sitting: on each text nanoGPT's CPU "baby GPT"
# (`../shared/peers/nanogpt/run.sh`, its 90/10 split) and then this lab's
# race preset on the same split (`reasonlab run gpt --preset 1 --corpus C`). Prints a
# JSON line per run and, per text, whether the preset's loss at nanoGPT's wall
# time is lower than nanoGPT's (issue 32: the presets were chosen on the 8
# plays; histories, comedies and Moby Dick are texts they never saw).
# Needs `cargo build --release` and a python with torch (PY, default
# ../shared/peers/.venv/bin/python). Run it on a quiet machine: both sides
# are timed.
#   bash scripts/bench-race-texts.sh [CORPUS...]   (default: shakespeare histories comedies moby)
# EXTRA="--width 96" adds settings to this lab's runs (candidates are tried
# on the 8 plays only); NANO=0 skips nanoGPT (its numbers are then null).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/reasonlab
export PY=${PY:-$(cd .. && pwd)/shared/peers/.venv/bin/python}
corpora=("$@")
[ $# -eq 0 ] && corpora=(shakespeare histories comedies moby)
declare -A file=([shakespeare]=shakespeare_8plays.txt [histories]=shakespeare_histories.txt [comedies]=shakespeare_comedies.txt [moby]=moby_dick.txt)
for c in "${corpora[@]}"; do
  text=$(pwd)/data/text/${file[$c]}
  nano='{"best_val_loss": null, "wall_s": null, "load_before": null, "load_after": null}'
  [ "${NANO:-1}" = 0 ] || nano=$(bash ../shared/peers/nanogpt/run.sh "$text" | tail -1)
  # shellcheck disable=SC2086
  ours=$($bin run gpt --preset 1 --corpus "$c" --seed "${SEED:-1}" ${EXTRA:-} --json 2>/dev/null | tail -1)
  python3 - "$c" "$nano" "$ours" "${EXTRA:-}" <<'PY'
import json, sys
c, nano, ours, extra = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
print(json.dumps({'corpus': c, 'nanogpt_val': nano['best_val_loss'], 'nanogpt_seconds': nano['wall_s'],
  'nanogpt_load': [nano['load_before'], nano['load_after']],
  'preset_val': round(ours['val_loss_full'], 4), 'preset_seconds': round(ours['train_seconds'], 1),
  'preset_load': [ours['load_before'], ours['load_after']], 'extra': extra,
  # The preset's loss at nanoGPT's wall time: its final loss when it ends first.
  'lower_at_nanogpt_time': None if nano['wall_s'] is None else ours['train_seconds'] <= nano['wall_s'] and ours['val_loss_full'] < nano['best_val_loss']}))
PY
done
