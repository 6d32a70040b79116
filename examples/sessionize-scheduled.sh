#!/usr/bin/env bash
# One scheduled sessionize run, for cron, a systemd timer or CI. It runs the
# model with --json, keeps the report, logs one line, and exits with
# sessionize's own exit code once it has acted on it:
#
#   0  done
#   1  failed (database, input): the next scheduled run tries again; alert if it repeats
#   2  invalid model or command line: needs a person (sessionize validate)
#   3  another run holds the target's lock: tried again SESSIONIZE_LOCK_RETRIES
#      times; the next scheduled run reads what this one would have
#   4  the model changed since the last run: needs a person, to review the change
#      and run `sessionize run --full-refresh` once
#   5  verify found differences (with SESSIONIZE_VERIFY_SAMPLE): needs a person,
#      to read them and run `sessionize run --full-refresh`
#
# Lines that need a person also go to stderr when logging to a file, so cron
# mails them and only them.
#
# Settings (environment), with their defaults:
#   SESSIONIZE                the binary                          sessionize on the PATH
#   SESSIONIZE_MODEL          the model file                      sessions.yaml
#   SESSIONIZE_TARGET         the target                          the model's default_target
#   SESSIONIZE_LOG            append the log lines to this file   stderr
#   SESSIONIZE_REPORT         keep the last run's JSON report     not kept
#   SESSIONIZE_LOCK_RETRIES   tries again while locked            3
#   SESSIONIZE_LOCK_WAIT      seconds between them                60
#   SESSIONIZE_VERIFY_SAMPLE  after a run, verify N contacts      no verify
set -uo pipefail

bin=${SESSIONIZE:-sessionize}
args=(-f "${SESSIONIZE_MODEL:-sessions.yaml}")
if [ -n "${SESSIONIZE_TARGET:-}" ]; then
	args+=(--target "$SESSIONIZE_TARGET")
fi
retries=${SESSIONIZE_LOCK_RETRIES:-3}
wait=${SESSIONIZE_LOCK_WAIT:-60}
errors=${SESSIONIZE_LOG:-/dev/stderr} # where sessionize's own stderr goes

log() {
	local line
	line="$(date -u +%Y-%m-%dT%H:%M:%SZ) sessionize: $*"
	if [ -n "${SESSIONIZE_LOG:-}" ]; then
		echo "$line" >>"$SESSIONIZE_LOG"
	else
		echo "$line" >&2
	fi
}

# alert logs a line that needs a person, and prints it on stderr too.
alert() {
	log "$*"
	if [ -n "${SESSIONIZE_LOG:-}" ]; then
		echo "sessionize: $*" >&2
	fi
}

# field prints a top-level field of the report (indented two spaces, as
# `run --json` prints it), so the script needs no jq.
field() {
	sed -n "s/^  \"$1\": \"\{0,1\}\(.*\)$/\1/p" <<<"$report" | sed 's/",\{0,1\}$//; s/,$//'
}

attempt=0
while :; do
	report=$("$bin" run "${args[@]}" --json 2>>"$errors")
	code=$?
	if [ -n "${SESSIONIZE_REPORT:-}" ]; then
		printf '%s\n' "$report" >"$SESSIONIZE_REPORT"
	fi
	if [ "$code" -ne 3 ] || [ "$attempt" -ge "$retries" ]; then
		break
	fi
	attempt=$((attempt + 1))
	log "locked by another run; trying again in ${wait}s ($attempt of $retries): $(field error)"
	sleep "$wait"
done

case $code in
0)
	log "run $(field run_id) done ($(field mode)): read $(field events_read) rows ($(field rejected) rejected), touched $(field contacts_affected) contacts, wrote $(field rows_written) rows in $(field seconds)s"
	;;
1)
	alert "run failed (exit 1): $(field error); the next scheduled run tries again, and the rows wait for it"
	;;
2)
	alert "invalid model or command line (exit 2), needs a person: $(field error)"
	;;
3)
	log "still locked by another run after $retries tries (exit 3); the next scheduled run catches up: $(field error)"
	;;
4)
	alert "refused (exit 4), needs a person: $(field error); review the change, then run once by hand: sessionize run --full-refresh ${args[*]}"
	;;
*)
	alert "run ended with exit $code: $(field error)"
	;;
esac

if [ "$code" -eq 0 ] && [ -n "${SESSIONIZE_VERIFY_SAMPLE:-}" ]; then
	differences=$("$bin" verify "${args[@]}" --sample "$SESSIONIZE_VERIFY_SAMPLE" 2>>"$errors")
	code=$?
	case $code in
	0)
		log "verify: a sample of $SESSIONIZE_VERIFY_SAMPLE contacts equals its recomputation"
		;;
	5)
		alert "verify found differences (exit 5), needs a person: rows that arrived later than late_window, or a bug; read them below, then run sessionize run --full-refresh ${args[*]}"
		while IFS= read -r line; do
			log "verify: $line"
		done <<<"$differences"
		;;
	3)
		log "verify: locked by another run (exit 3); the next scheduled run verifies"
		;;
	*)
		alert "verify ended with exit $code"
		;;
	esac
fi
exit "$code"
