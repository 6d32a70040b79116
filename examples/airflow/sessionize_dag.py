"""sessionize in Airflow: a run every 15 minutes, and a daily verify.

What each sessionize exit code makes Airflow do:

  0  done.
  1  failed (database, input): retried after retry_delay, up to `retries`.
  3  another run holds the target's lock: retried later, the same way.
  2  invalid model, 4 the model changed since the last run (it needs a
     `sessionize run --full-refresh` by hand), 5 verify found differences:
     retrying cannot help, so the task fails at once and stays failed.

BashOperator retries every non-zero exit, so the commands turn 2, 4 and 5
into the operator's skip exit code, and FailWithoutRetry turns that skip
into a failure that is not retried. The JSON report and sessionize's
message are in the task log.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowFailException, AirflowSkipException

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

SESSIONIZE = "/usr/local/bin/sessionize"
MODEL = "/srv/sessionize/sessions.yaml"
NEEDS_A_PERSON = 99  # BashOperator's skip exit code


class FailWithoutRetry(BashOperator):
    """A BashOperator whose skip exit code fails the task without retries."""

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowSkipException as e:
            raise AirflowFailException(
                "sessionize needs a person (exit 2, 4 or 5): see its message above"
            ) from e


def sessionize(command):
    """The bash for one sessionize command, with 2, 4 and 5 mapped."""
    return f"""
{SESSIONIZE} {command} -f {MODEL}
code=$?
case $code in
  2|4|5) exit {NEEDS_A_PERSON} ;;
  *) exit $code ;;
esac
"""


default_args = {"retries": 3, "retry_delay": timedelta(minutes=5)}

with DAG(
    dag_id="sessionize",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,  # each run reads everything new; missed intervals need no run of their own
    max_active_runs=1,
    default_args=default_args,
):
    FailWithoutRetry(
        task_id="run",
        bash_command=sessionize("run --json"),
        skip_on_exit_code=NEEDS_A_PERSON,
        do_xcom_push=False,
    )

with DAG(
    dag_id="sessionize_verify",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=default_args,
):
    # Compares 10,000 contacts' outputs with a full recomputation; exit 5
    # lists the differences in the log (rows later than late_window).
    FailWithoutRetry(
        task_id="verify",
        bash_command=sessionize("verify --sample 10000"),
        skip_on_exit_code=NEEDS_A_PERSON,
        do_xcom_push=False,
    )
