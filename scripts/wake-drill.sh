#!/usr/bin/env bash
# The wake-up drill: the main suite's test at full size, one arriving entry waking 150,000 waiting
# segments (more than one function call can take as arguments).
# Usage: npm run drill:wake [-- SEGMENTS]   (default 150000)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
LOGBOOK_WAKE_SEGMENTS="${1:-150000}" node --test --test-reporter=spec dist/test/ingest-wake.test.js
