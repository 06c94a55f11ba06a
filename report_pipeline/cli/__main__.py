"""`python -m report_pipeline.cli` runs the command line."""

from report_pipeline.cli import main

main()
