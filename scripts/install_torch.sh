#!/usr/bin/env bash
# The CPU build of PyTorch into the venv of the given python (default .venv/bin/python).
#
# Installed before storyfold so that sentence-transformers finds torch already there and does
# not pull the multi-GB CUDA build from PyPI. PyTorch's CPU wheel index is tried first; where it
# cannot be reached (a proxy, an offline mirror) plain PyPI is used: its Linux wheel is the CUDA
# build, but a pip configured with a local CPU build finds that one. Does nothing when torch
# 2.13.0 is already installed, so re-running is cheap.
set -euo pipefail
PYTHON_BIN="${1:-.venv/bin/python}"
TORCH_VERSION="2.13.0"
CPU_INDEX="${STORYFOLD_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
PIP=("$PYTHON_BIN" -m pip --disable-pip-version-check -q)

installed="$("$PYTHON_BIN" -c 'import importlib.metadata as m; print(m.version("torch"))' \
  2>/dev/null || true)"
if [ "${installed%%+*}" = "$TORCH_VERSION" ]; then
  exit 0
fi
if "${PIP[@]}" install --index-url "$CPU_INDEX" --timeout 10 --retries 0 \
     "torch==$TORCH_VERSION" 2>/dev/null; then
  exit 0
fi
echo "install_torch: $CPU_INDEX not reachable; installing torch==$TORCH_VERSION from the default index" >&2
"${PIP[@]}" install "torch==$TORCH_VERSION"
