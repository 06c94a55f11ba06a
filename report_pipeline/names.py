"""Names shared by the Dagster layer, the API and the CLI: jobs, run tags, metadata keys.

Plain strings, no Dagster import, so the API can name a job without loading it.
"""

WEEKLY_REPORT_JOB = "weekly_report_job"
EMAIL_JOB = "email_job"
READ_AHEAD_JOB = "read_ahead_job"
COMPLETENESS_CHECK = "weekly_report_completeness"

# Run tags
PARTITION_TAG = "dagster/partition"  # Dagster's own: the week of a partitioned run
KIND_TAG = "report_pipeline/kind"
LAUNCH_TAG = "report_pipeline/launch_id"
FORCE_TAG = "report_pipeline/force"
REQUESTED_BY_TAG = "report_pipeline/requested_by"
# On a weekly run whose emails its launcher sends itself right after (`report-pipeline
# run`): the email sensor launches no second, empty email run for it.
EMAILS_TAG = "report_pipeline/emails"
EMAILS_BY_LAUNCHER = "sent-by-launcher"

# Materialization metadata
HELD_KEY = "emails_held"  # set on a held or empty (noop) week's materialization
