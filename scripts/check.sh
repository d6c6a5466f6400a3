#!/bin/bash
# SPDX-License-Identifier: MIT
# check.sh - install what is missing, then run every test (make check)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
exec make -j2 check
