"""Jobs: the weekly report chain, and the emails that follow it."""

from dagster import (
    AssetSelection,
    ExecutorDefinition,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

from report_pipeline.defs.partitions import weekly_partitions
from report_pipeline.defs.report_executor import report_step_executor
from report_pipeline.names import EMAIL_JOB, KIND_TAG, WEEKLY_REPORT_JOB
from report_pipeline.settings import load_settings

# forkserver with the code location preloaded: each step forks a warm process
# instead of importing Dagster and the extraction libraries again (about 2.5 s with spawn),
# and shares those modules' memory with the forkserver (forkserver_preload.py).
# REPORT_PIPELINE_STEP_CONCURRENCY caps the step processes (and so the parallel
# tesseracts) of one run; 0 means one per CPU.
STEP_PROCESSES = {
    "start_method": {
        "forkserver": {"preload_modules": ["report_pipeline.defs.forkserver_preload"]}
    },
    "max_concurrent": load_settings().step_concurrency,
}
step_executor = multiprocess_executor.configured(STEP_PROCESSES)


def celery_step_executor() -> ExecutorDefinition:
    """Steps as Celery tasks on the workers listening to the broker (see deploy/).

    Broker and backend are read from the environment when a run starts, so a
    Redis password in the URL never lands in the job's config or the UI.
    """
    from dagster_celery import celery_executor

    settings = load_settings()
    backend = (
        "REPORT_PIPELINE_CELERY_BACKEND"
        if settings.celery_backend != settings.celery_broker
        else "REPORT_PIPELINE_CELERY_BROKER"
    )
    return celery_executor.configured(
        {"broker": {"env": "REPORT_PIPELINE_CELERY_BROKER"}, "backend": {"env": backend}},
        name="celery_step_executor",
    )


def k8s_step_executor() -> ExecutorDefinition:
    """Each step a Kubernetes Job (dagster-k8s, the `k8s` extra); env and secrets as the run's."""
    from dagster_k8s import k8s_job_executor

    return k8s_job_executor.configured(
        {"max_concurrent": load_settings().step_concurrency},
        name="k8s_step_executor",
    )


def weekly_executor() -> ExecutorDefinition:
    """`REPORT_PIPELINE_EXECUTOR`: `multiprocess` (default, one machine), `celery` or `k8s`.

    One job name whatever the executor: the schedule, the email sensor, the
    report-state run-status sensors and the API all keep targeting `weekly_report_job`.
    """
    choice = load_settings().executor  # validated: multiprocess, celery or k8s
    if choice == "celery":
        return celery_step_executor()
    if choice == "k8s":
        return k8s_step_executor()
    return step_executor


def report_executor() -> ExecutorDefinition:
    """weekly_executor(), except that on one machine a week read ahead runs in one process.

    The read-ahead passes keep weekly_executor(): they have documents to read.
    """
    if load_settings().executor != "multiprocess":
        return weekly_executor()
    return report_step_executor.configured(STEP_PROCESSES, name="step_executor")


weekly_report_job = define_asset_job(
    WEEKLY_REPORT_JOB,
    selection=AssetSelection.assets("document_manifest", "document_features", "weekly_report"),
    partitions_def=weekly_partitions,
    executor_def=report_executor(),
    tags={KIND_TAG: "weekly_report"},
)

email_job = define_asset_job(
    EMAIL_JOB,
    selection=AssetSelection.assets("email_deliveries"),
    partitions_def=weekly_partitions,
    executor_def=in_process_executor,  # one step: a process of its own would only add cost
    tags={KIND_TAG: "email"},
)
