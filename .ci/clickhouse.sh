# Sourced by .ci/run: makes ClickHouse available to the tests.
#
# - chdb (ClickHouse in-process, a modern ClickHouse): installed with npm
#   into a cache folder outside the repository when missing; exports
#   CHDB_LIB_PATH, which the chdb:// targets load.
# - The Debian clickhouse-server (18.16: too old for the rendered SQL, used
#   to test the clickhouse-go driver, the lock and the version check):
#   installed with apt-get when missing, started on loopback with a config
#   of its own (data under a temp dir), waited for on its /ping; exports
#   SESSIONIZE_TEST_CLICKHOUSE_DSN. A server this script starts is stopped
#   by its pid when the sourcing shell exits; by hand:
#   kill "$(cat "$SESSIONIZE_CLICKHOUSE_DIR/clickhouse.pid")".

ch_log() { echo "clickhouse: $*" >&2; }

# chdb
chdb_version=3.4.0
chdb_dir="${XDG_CACHE_HOME:-$HOME/.cache}/sessionize/chdb"
chdb_lib="$chdb_dir/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"
if [ ! -f "$chdb_lib" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    ch_log "installing npm with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  ch_log "installing chdb@$chdb_version into $chdb_dir"
  mkdir -p "$chdb_dir"
  npm install --silent --no-audit --no-fund --prefix "$chdb_dir" "chdb@$chdb_version" >&2
fi
[ -f "$chdb_lib" ] || { ch_log "npm did not install $chdb_lib"; return 1; }
export CHDB_LIB_PATH="$chdb_lib"
ch_log "CHDB_LIB_PATH=$CHDB_LIB_PATH"

# The Debian server, on loopback with a config of its own.
export SESSIONIZE_CLICKHOUSE_DIR="${TMPDIR:-/tmp}/sessionize-clickhouse"
ch_ping() { curl -fsS --max-time 2 http://127.0.0.1:8123/ping >/dev/null 2>&1; }
if ! ch_ping; then
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    ch_log "installing clickhouse-server with apt-get"
    apt-get update -qq >/dev/null
    # policy-rc.d keeps the package from starting the stock server, which
    # listens on every interface.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
  d="$SESSIONIZE_CLICKHOUSE_DIR"
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas" "$d/log"
  cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/log/clickhouse-server.log</log>
        <errorlog>$d/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>8123</http_port>
    <tcp_port>9000</tcp_port>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <format_schema_path>$d/format_schemas/</format_schema_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mark_cache_size>536870912</mark_cache_size>
</yandex>
XML
  cat >"$d/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  chown -R clickhouse:clickhouse "$d" 2>/dev/null || true
  ch_log "starting clickhouse-server on 127.0.0.1 (data in $d)"
  if id clickhouse >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    runuser -u clickhouse -- clickhouse-server --config-file="$d/config.xml" --pid-file="$d/clickhouse.pid" --daemon
  else
    clickhouse-server --config-file="$d/config.xml" --pid-file="$d/clickhouse.pid" --daemon
  fi
  for _ in $(seq 1 30); do
    ch_ping && break
    sleep 1
  done
  # Stop the server this script started, by its pid, when the caller exits
  # (after any EXIT trap already set).
  ch_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  trap "kill \$(cat '$d/clickhouse.pid' 2>/dev/null) 2>/dev/null || true; $ch_prev_trap" EXIT
fi
if ! ch_ping; then
  ch_log "clickhouse-server does not answer on http://127.0.0.1:8123/ping; see $SESSIONIZE_CLICKHOUSE_DIR/log"
  return 1
fi
ch_log "clickhouse-server answers: $(curl -fsS 'http://127.0.0.1:8123/?query=SELECT%20version()')"
export SESSIONIZE_TEST_CLICKHOUSE_DSN="clickhouse://default@127.0.0.1:9000/default"
