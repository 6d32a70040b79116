# Sourced by .ci/run: makes sure headless Chromium is at /usr/bin/chromium
# for the report's browser test (report/browser_test.go), which fails in CI
# without it. Installs Debian's chromium with apt-get when it is missing.

if [ ! -x /usr/bin/chromium ]; then
  echo "chromium: installing chromium with apt-get" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version >&2
