#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh - install what is missing, build, and run the main job
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -j2 >/dev/null
exec build/squib-net demo "$@"
