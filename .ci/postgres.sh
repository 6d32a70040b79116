# Sourced by .ci/run: makes sure a PostgreSQL server answers on 127.0.0.1,
# with a role and database for the tests, and exports SESSIONIZE_TEST_PG_DSN.
# Installs PostgreSQL with apt-get when the machine lacks it.

pg_log() { echo "postgres: $*" >&2; }

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_log "installing postgresql with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -z "$version" ]; then
    pg_log "no cluster under /etc/postgresql; creating one"
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main >/dev/null
  fi
  pg_log "starting cluster $version/main"
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
fi
pg_isready -h 127.0.0.1 -p 5432 >&2

runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE sessionize LOGIN SUPERUSER PASSWORD ''sessionize'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sessionize') \gexec
SELECT 'CREATE DATABASE sessionize_test OWNER sessionize'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sessionize_test') \gexec
SQL

export SESSIONIZE_TEST_PG_DSN="postgres://sessionize:sessionize@127.0.0.1:5432/sessionize_test?sslmode=disable"
