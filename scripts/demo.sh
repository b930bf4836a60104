#!/usr/bin/env bash
# First command of the README: install, then fold the bundled sample corpus into stories.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
rm -f demo.db demo.db-wal demo.db-shm
.venv/bin/storyfold run examples/corpus --db sqlite:///demo.db
echo
echo "Stored in demo.db. Try: .venv/bin/storyfold stories --db sqlite:///demo.db"
