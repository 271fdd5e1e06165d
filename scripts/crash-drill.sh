#!/usr/bin/env bash
# The long crash drill: the same test as the main suite's, with many more SIGKILL rounds.
# Usage: npm run drill:crash [-- ROUNDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
LOGBOOK_CRASH_ROUNDS="${1:-60}" node --test --test-reporter=spec dist/test/crash.test.js
