#!/usr/bin/env bash
# Run a real, local, single-node Elasticsearch for development and tests.
#
#   scripts/es.sh start    # download (Maven Central) + unpack + start, wait for health yellow
#   scripts/es.sh stop     # stop the node started on ES_PORT and wait for it to exit
#   scripts/es.sh status   # print pid and cluster health; exit 1 if not running
#
# Environment (all optional):
#   ES_PORT           HTTP port on 127.0.0.1 (default 9250, away from a system ES on 9200)
#   ES_VERSION        default 9.2.4 (matches the elasticsearch 9.2 Python client)
#   ES_JAVA_HOME      default /usr/lib/jvm/temurin-25-jdk-amd64 (ES 9 needs Java >= 21)
#   ES_HEAP_MIN/MAX   default 512m / 1g
#   ES_USER           unprivileged user that runs the node when we are root (lurewatch-es)
#   ES_BASE           where the distribution, data, logs and pid files live (see below)
#   ES_START_TIMEOUT  seconds to wait for health yellow (default 120)
#   ES_EPHEMERAL      1 = `stop` deletes the node's data and logs (the test session uses this);
#                     otherwise data survives stop/start
#   ES_SETTINGS       extra node settings, space-separated key=value, passed as -Ekey=value
#                     (e.g. "thread_pool.write.size=1 thread_pool.write.queue_size=1")
#   ES_URL_FILE       `start` writes the node's URL to this file (one line, written only by
#                     this script, atomically), for callers that must not parse output
#
# Output: `start` prints the URL as its only line on stdout; every message, and everything
# Maven, unzip or Elasticsearch print, goes to stderr or to the node's log files.
#
# What runs: Elastic's "integ-test-zip" distribution from Maven Central
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<ver>:zip). It is the server
# core plus transport-netty4, x-pack-core/security and apm — no painless, no reindex/
# update_by_query, no analysis-common, no `GET /`. Security is disabled; it binds to
# 127.0.0.1 only.
#
# Where it lives: NOT in the project tree. Elasticsearch refuses to run as root, so as root we
# run it as ES_USER, and that user must be able to traverse every parent directory of its
# home, data and logs. Project checkouts often sit under /root or a 0700 `mktemp -d` dir, so
# the default ES_BASE is /var/tmp/lurewatch-es-<12 hex of sha256(project path)>/ (1777
# parent, survives reboots, one per checkout):
#   ES_BASE/elasticsearch-<ver>/   unpacked distribution (shared by all nodes of this checkout)
#   ES_BASE/node-<port>/           config copy, data, logs, tmp, es.pid (one per port)
# Remove ES_BASE to reclaim the disk space.
set -euo pipefail

ES_VERSION="${ES_VERSION:-9.2.4}"
ES_PORT="${ES_PORT:-9250}"
ES_JAVA_HOME="${ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ES_HEAP_MIN="${ES_HEAP_MIN:-512m}"
ES_HEAP_MAX="${ES_HEAP_MAX:-1g}"
ES_USER="${ES_USER:-lurewatch-es}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-120}"
ES_EPHEMERAL="${ES_EPHEMERAL:-0}"

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
_hash="$(printf '%s' "$PROJECT_DIR" | sha256sum | cut -c1-12)"
ES_BASE="${ES_BASE:-/var/tmp/lurewatch-es-$_hash}"
ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"
NODE_DIR="$ES_BASE/node-$ES_PORT"
PID_FILE="$NODE_DIR/es.pid"
URL="http://127.0.0.1:$ES_PORT"
ZIP="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"

die() { echo "es.sh: $*" >&2; exit 1; }
log() { echo "es.sh: $*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# GET a URL and print the body; curl if present, else python3 (fresh Debian may lack curl).
http_get() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS --max-time 10 "$1"
    else
        python3 - "$1" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:  # noqa: S310 (loopback only)
    sys.stdout.write(r.read().decode())
PY
    fi
}

running_pid() {
    # Prints the pid if the node on ES_PORT is alive; returns 1 otherwise.
    [ -s "$PID_FILE" ] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    kill -0 "$pid" 2>/dev/null || return 1
    # a stale pid file whose pid now belongs to something else is "not running"
    grep -q org.elasticsearch "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

fetch_zip() {
    [ -s "$ZIP" ] && return 0
    command -v mvn >/dev/null 2>&1 || die "no $ZIP and no mvn to download it; install maven or copy the zip there"
    log "downloading elasticsearch $ES_VERSION (integ-test-zip) from Maven Central"
    # Maven writes progress and terminal colour codes to stdout even with -q: all of it goes
    # to stderr, so the URL stays the only thing `start` prints on stdout.
    mvn -B -q -Dstyle.color=never dependency:get -Dtransitive=false \
        "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
        </dev/null >&2 \
        || die "mvn could not fetch elasticsearch $ES_VERSION; 9.2.4 and 9.1.5 are on Central"
    [ -s "$ZIP" ] || die "mvn finished but $ZIP is missing"
}

unpack() {
    [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
    local tmp
    tmp="$(mktemp -d "$ES_BASE/unpack.XXXXXX")"
    log "unpacking into $ES_HOME"
    if command -v unzip >/dev/null 2>&1; then
        unzip -q "$ZIP" -d "$tmp" >&2
    else
        python3 -m zipfile -e "$ZIP" "$tmp" >&2   # drops the +x bits; restored below
    fi
    chmod +x "$tmp/elasticsearch-$ES_VERSION/bin/"*
    chmod -R a+rX "$tmp/elasticsearch-$ES_VERSION"
    # Atomic: a concurrent start sees either nothing or a complete distribution.
    mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME" 2>/dev/null || true
    rm -rf "$tmp"
    [ -x "$ES_HOME/bin/elasticsearch" ] || die "unpacking $ZIP did not produce $ES_HOME/bin/elasticsearch"
}

ensure_user() {
    is_root || return 0
    id "$ES_USER" >/dev/null 2>&1 && return 0
    log "creating system user $ES_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER" >&2 \
        || die "useradd $ES_USER failed; create an unprivileged user and set ES_USER"
}

as_es() {
    if is_root; then runuser -u "$ES_USER" -- "$@"; else "$@"; fi
}

tail_log() {
    local f="$NODE_DIR/logs/lurewatch-$ES_PORT.log"   # <cluster.name>.log
    [ -f "$f" ] || f="$NODE_DIR/stdout.log"
    [ -f "$f" ] || return 0
    echo "----- first errors in $f -----" >&2
    grep -m 5 -E '\]\[(ERROR|FATAL)|Exception:' "$f" | cut -c1-400 >&2 || true
    echo "----- tail of $f -----" >&2
    tail -n 25 "$f" | cut -c1-400 >&2
    return 0
}

# The URL on stdout, and in ES_URL_FILE when set (written whole, then renamed into place).
say_url() {
    if [ -n "${ES_URL_FILE:-}" ]; then
        printf '%s\n' "$URL" >"$ES_URL_FILE.tmp.$$" && mv -f "$ES_URL_FILE.tmp.$$" "$ES_URL_FILE" \
            || die "could not write the URL to ES_URL_FILE=$ES_URL_FILE"
    fi
    echo "$URL"
}

cmd_start() {
    if pid="$(running_pid)"; then
        log "already running (pid $pid) at $URL"
        say_url
        return 0
    fi
    [ -x "$ES_JAVA_HOME/bin/java" ] || die "no java at $ES_JAVA_HOME; set ES_JAVA_HOME to a JDK >= 21"
    command -v curl >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 \
        || die "need curl or python3 to poll cluster health"
    mkdir -p "$ES_BASE"
    chmod 755 "$ES_BASE"
    fetch_zip
    (
        flock 9
        unpack
    ) 9>"$ES_BASE/.unpack.lock"
    ensure_user

    mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
    rm -rf "$NODE_DIR/config" "$PID_FILE"
    cp -r "$ES_HOME/config" "$NODE_DIR/config"
    if is_root; then chown -R "$ES_USER:" "$NODE_DIR"; fi

    local extra=() settings=() kv
    read -r -a settings <<<"${ES_SETTINGS:-}"
    for kv in ${settings[@]+"${settings[@]}"}; do extra+=("-E$kv"); done

    local started=$SECONDS
    log "starting elasticsearch $ES_VERSION on $URL (node dir $NODE_DIR)"
    as_es env -i PATH=/usr/bin:/bin \
        ES_JAVA_HOME="$ES_JAVA_HOME" \
        ES_PATH_CONF="$NODE_DIR/config" \
        ES_TMPDIR="$NODE_DIR/tmp" \
        ES_JAVA_OPTS="-Xms$ES_HEAP_MIN -Xmx$ES_HEAP_MAX" \
        "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
        -Ecluster.name="lurewatch-$ES_PORT" \
        -Enode.name="lurewatch-$ES_PORT" \
        -Ediscovery.type=single-node \
        -Enetwork.host=127.0.0.1 \
        -Ehttp.port="$ES_PORT" \
        -Etransport.port=0 \
        -Expack.security.enabled=false \
        -Ecluster.routing.allocation.disk.threshold_enabled=false \
        -Eaction.destructive_requires_name=false \
        -Epath.data="$NODE_DIR/data" \
        -Epath.logs="$NODE_DIR/logs" \
        ${extra[@]+"${extra[@]}"} \
        >"$NODE_DIR/stdout.log" 2>&1 \
        || { tail_log; die "elasticsearch failed to start (see $NODE_DIR/logs)"; }

    local deadline=$((SECONDS + ES_START_TIMEOUT))
    until http_get "$URL/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            tail_log
            cmd_stop >/dev/null 2>&1 || true
            die "elasticsearch did not reach health yellow at $URL within ${ES_START_TIMEOUT}s"
        fi
        if ! running_pid >/dev/null && [ $((SECONDS - started)) -gt 5 ]; then
            tail_log
            die "elasticsearch exited during start-up (logs in $NODE_DIR/logs)"
        fi
        sleep 1
    done
    log "up in $((SECONDS - started))s, pid $(cat "$PID_FILE")"
    say_url
}

cmd_stop() {
    local pid i
    if pid="$(running_pid)"; then
        kill "$pid"
        for i in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM for 30s; sending SIGKILL"
            kill -9 "$pid" 2>/dev/null || true
        fi
        log "stopped (pid $pid)"
    else
        log "not running on port $ES_PORT"
    fi
    rm -f "$PID_FILE"
    if [ "$ES_EPHEMERAL" = 1 ]; then rm -rf "$NODE_DIR"; fi
}

cmd_status() {
    local pid
    if ! pid="$(running_pid)"; then
        echo "not running on port $ES_PORT (ES_BASE=$ES_BASE)"
        return 1
    fi
    echo "running: pid $pid, $URL, node dir $NODE_DIR"
    http_get "$URL/_cluster/health" && echo
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status   (ES_PORT=$ES_PORT)" >&2; exit 2 ;;
esac
