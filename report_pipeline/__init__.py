"""Weekly document report pipeline."""

from report_pipeline.private_files import apply_private_umask

# Every entry point (CLI, Dagster code location and run workers, API, tests)
# imports this package first: files it creates are 0600 and directories 0700,
# for the documents, OCR text and reports they hold are patient data.
apply_private_umask()
