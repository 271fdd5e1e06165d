#!/usr/bin/env bash
# The long view crash drill: the main suite's test at full size, 200,000 entries and 20 SIGKILLs.
# Usage: npm run drill:views [-- KILLS [ENTRIES]]   (defaults 20 and 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
LOGBOOK_VIEW_CRASH_KILLS="${1:-20}" LOGBOOK_VIEW_CRASH_ENTRIES="${2:-200000}" node --test --test-reporter=spec dist/test/views-crash.test.js
