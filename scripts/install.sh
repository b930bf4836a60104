#!/usr/bin/env bash
# Install storyfold and everything its tests need into ./.venv (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip >/dev/null
bash scripts/install_torch.sh .venv/bin/python
# the `scale` extra (Ray) too: tests/test_scale.py runs `--engine ray` and `backfill` on a
# local Ray; a plain `pip install .` without it is checked by .ci/run
"${PIP[@]}" install -e ".[dev,scale]"
