"""sessionize as a Dagster asset, with verify as its asset check.

What each sessionize exit code makes Dagster do:

  0  the asset is materialized, with the run's report as metadata.
  1  failed (database, input), 3 another run holds the target's lock:
     retried after a wait (RetryRequested).
  2  invalid model, 4 the model changed since the last run (it needs a
     `sessionize run --full-refresh` by hand): the run fails at once, not
     retried (Failure(allow_retries=False)).
  5  verify found differences: the asset check fails, with the differences.

Schedule it with e.g. dg.ScheduleDefinition(target=sessions, cron_schedule="*/15 * * * *").
"""

import json
import subprocess

import dagster as dg

SESSIONIZE = "/usr/local/bin/sessionize"
MODEL = "/srv/sessionize/sessions.yaml"


@dg.asset(description="sessions, contact_sessions and daily_metrics, built by sessionize")
def sessions(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    proc = subprocess.run(
        [SESSIONIZE, "run", "--json", "-f", MODEL], capture_output=True, text=True
    )
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    message = report.get("error") or proc.stderr.strip()
    if proc.returncode == 0:
        keys = ("run_id", "mode", "events_read", "rejected", "contacts_affected", "rows_written", "seconds")
        return dg.MaterializeResult(metadata={k: report.get(k) for k in keys})
    if proc.returncode in (1, 3):
        context.log.warning(f"sessionize exit {proc.returncode}: {message}; retrying")
        raise dg.RetryRequested(max_retries=3, seconds_to_wait=300)
    raise dg.Failure(
        description=f"sessionize exit {proc.returncode}, needs a person: {message}",
        metadata={"report": dg.MetadataValue.json(report)},
        allow_retries=False,
    )


@dg.asset_check(asset=sessions, description="a sample of contacts equals a full recomputation")
def sessions_match_recomputation() -> dg.AssetCheckResult:
    proc = subprocess.run(
        [SESSIONIZE, "verify", "--sample", "10000", "-f", MODEL], capture_output=True, text=True
    )
    if proc.returncode not in (0, 5):
        raise dg.Failure(description=f"sessionize verify exit {proc.returncode}: {proc.stderr.strip()}")
    return dg.AssetCheckResult(
        passed=proc.returncode == 0,
        metadata={"differences": dg.MetadataValue.md(f"```\n{proc.stdout[:10000]}\n```")},
    )


defs = dg.Definitions(assets=[sessions], asset_checks=[sessions_match_recomputation])
