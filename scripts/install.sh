#!/usr/bin/env bash
# Installs what profilesync needs on a fresh machine with Node.js 20.19+: pnpm 10.34.9, redis-server, PostgreSQL and
# MariaDB (tests start their own on loopback), php-cli and curl (real client code in tests), and the workspace's packages
# (better-sqlite3 builds from source).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "profilesync needs Node.js 20.19 or later on PATH" >&2
  exit 1
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "10.34.9" ]; then
  echo "installing pnpm 10.34.9"
  # corepack cannot verify signatures here; npm can install pnpm itself.
  npm install --global --no-audit --no-fund pnpm@10.34.9 >/dev/null
fi

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "please install $* (Debian: sudo apt-get install -y $*)" >&2
    exit 1
  fi
  if [ ! -f /tmp/.profilesync-apt-updated ]; then
    apt-get update -qq >/dev/null && touch /tmp/.profilesync-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server"
  apt_install redis-server
fi

# php-cli runs the real PHP client code (http_build_query, the http stream wrapper) in the proxy's client-habit tests.
if ! command -v php >/dev/null 2>&1; then
  echo "installing php-cli"
  apt_install php-cli
fi
if ! command -v curl >/dev/null 2>&1; then
  echo "installing curl"
  apt_install curl
fi

# Debian's prometheus package: promtool checks the proxy's and the daemon's /metrics output in their tests, and the
# Prometheus server itself scrapes them on loopback in the Grafana dashboards' test.
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  echo "installing prometheus (promtool and the server)"
  apt_install --no-install-recommends prometheus
fi

# PostgreSQL serves the tests that use it as a source and as the state store; they start their own server on loopback.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql"
  apt_install postgresql
fi

# MariaDB serves the tests of the MySQL/MariaDB source; they start their own server on loopback with a scratch datadir.
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  echo "installing mariadb-server"
  apt_install mariadb-server
fi

# systemd-analyze verifies the units in deploy/systemd (the tests run it in a scratch root, never against this system).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "installing systemd (for systemd-analyze)"
  apt_install systemd
fi

# Debian's chromium runs the dashboard's browser tests (driven by playwright-core; no browser is downloaded).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium"
  apt_install chromium
fi

CI=true pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v -E '^(Progress|\s*$)' | tail -n 5
