#!/usr/bin/env bash
# The load test: the production server (`stars serve`, gunicorn) on PostgreSQL with Redis as
# the figures cache, and locust's users of every role. See benchmarks/README.md.
#
#   benchmarks/load/run.sh [--build] [USERS] [DURATION]     e.g. benchmarks/load/run.sh --build 50 10m
#
# --build erases and loads the database first (benchmarks/load/build.py, 100,000 referrals).
# Environment: DATABASE_URL (PostgreSQL, required), STARS_CACHE_URL (default
# redis://127.0.0.1:6379/1), WORKERS and THREADS of the server (default 4 and 4), PORT
# (default 8390), WARM (default 1: `stars warm-figures` first, as the worker does after an
# import; 0: the first users compute them). Writes load-summary.json and locust's CSV files to benchmarks/out/load/.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=0
if [ "${1:-}" = "--build" ]; then build=1; shift; fi
users=${1:-50}
duration=${2:-10m}
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to test}"
export STARS_CACHE_URL=${STARS_CACHE_URL:-redis://127.0.0.1:6379/1}
export STARS_HOME=${STARS_HOME:-$PWD/benchmarks/out/load/home}
out=benchmarks/out/load
mkdir -p "$out" "$STARS_HOME"
if [ $build = 1 ]; then .venv/bin/python benchmarks/load/build.py --referrals 100000; fi
.venv/bin/python -c 'import redis, os; redis.Redis.from_url(os.environ["STARS_CACHE_URL"]).flushdb()'
# what the job worker does after every import or change: the figures worked out before the
# users come (as of today and as of the date the users ask for: STARS_LOAD_AS_OF)
if [ "${WARM:-1}" = 1 ]; then
  /usr/bin/time -f 'warm-figures: %e s wall, %U s user' \
    .venv/bin/stars warm-figures --as-of "${STARS_LOAD_AS_OF:-2024-11-30}" 2>&1 | tee "$out/warm.txt"
fi
port=${PORT:-8390}
.venv/bin/stars serve --port "$port" --workers "${WORKERS:-4}" --threads "${THREADS:-4}" \
  --no-worker > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/sign-in/" && break
  sleep 1
done
uptime | tee "$out/uptime-before.txt"
STARS_LOAD_SUMMARY="$out/load-summary.json" .venv/bin/locust -f benchmarks/load/locustfile.py \
  --host "http://127.0.0.1:$port" --headless -u "$users" -r 5 -t "$duration" \
  --stop-timeout 30 --csv "$out/locust" --only-summary > "$out/locust.log" 2>&1 || true
uptime | tee "$out/uptime-after.txt"
.venv/bin/python - "$out/load-summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for kind in ("pages", "downloads", "sign-ins"):
    if kind in s:
        k = s[kind]
        print(f"{kind:9} {k['requests']:6} requests {k['errors']:3} errors  median {k['median_ms']:7.0f} ms"
              f"  p95 {k['p95_ms']:7.0f} ms  p99 {k['p99_ms']:7.0f} ms")
slow = sorted(s["by_name"].items(), key=lambda kv: -kv[1]["p95_ms"])[:8]
for name, k in slow:
    print(f"  {name:55} {k['requests']:5}  p95 {k['p95_ms']:7.0f} ms  errors {k['errors']}")
PY
