"""Jobs: the weekly report chain, and the emails that follow it."""

from dagster import AssetSelection, define_asset_job, in_process_executor, multiprocess_executor

from report_pipeline.defs.partitions import weekly_partitions

# forkserver with the code location preloaded: each step forks a warm process
# instead of importing Dagster, polars and matplotlib again (about 2.5 s with spawn).
step_executor = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["report_pipeline.definitions"]}}}
)

weekly_report_job = define_asset_job(
    "weekly_report_job",
    selection=AssetSelection.assets("document_manifest", "document_features", "weekly_report"),
    partitions_def=weekly_partitions,
    executor_def=step_executor,
    tags={"report_pipeline/kind": "weekly_report"},
)

email_job = define_asset_job(
    "email_job",
    selection=AssetSelection.assets("email_deliveries"),
    partitions_def=weekly_partitions,
    executor_def=in_process_executor,  # one step: a process of its own would only add cost
    tags={"report_pipeline/kind": "email"},
)
