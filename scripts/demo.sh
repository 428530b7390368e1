#!/usr/bin/env bash
# npm run demo: from a fresh clone to hatui open on a running lab.
#   1. npm install when node_modules is missing   2. build the bundle
#   3. hatui lab install when lab packages are missing (apt; needs root)
#   4. hatui lab up with region B and the doubles, then the Redis Cluster and monitoring parts (HATUI_LAB_DIR / HATUI_LAB_PORT_BASE, default /var/tmp/hatui-lab, 55000)
#   5. open hatui (with no --inventory it uses the lab's inventory)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "npm run demo: the lab runs PostgreSQL, Redis, HAProxy and sshd under cgroups and needs root (you are $(id -un))." >&2
  exit 1
fi
if [ ! -d node_modules ]; then
  say "npm install"
  npm install --no-audit --no-fund
fi
say "npm run build"
npm run build --silent
if ! node bin/hatui.js lab install --check >/dev/null 2>&1; then
  say "hatui lab install"
  node bin/hatui.js lab install
fi
say "hatui lab up --regions 2 --doubles (region B for DR; wire-level MongoDB/Kafka/Weaviate doubles, not the real servers)"
node bin/hatui.js lab up --regions 2 --doubles
say "hatui lab up rediscluster monitoring"
node bin/hatui.js lab up rediscluster monitoring
say "hatui (lab inventory ${HATUI_LAB_DIR:-/var/tmp/hatui-lab}/inventory.yaml; stop the lab later with: node bin/hatui.js lab down)"
exec node bin/hatui.js
