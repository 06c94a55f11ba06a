"""Loaded by every Python process of a test's `report-pipeline run` (this folder is put
first on its PYTHONPATH): with FAULTS_KILL_AT set, arms that kill point. See kill_points."""

import os

if os.environ.get("FAULTS_KILL_AT"):
    from report_pipeline_tests.faults.kill_points import install

    install(os.environ["FAULTS_KILL_AT"])
