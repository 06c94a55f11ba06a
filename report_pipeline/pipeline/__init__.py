"""The weekly steps as plain functions: manifest, features, dead letters, report, gate, alerts.

No Dagster here: `defs/` turns these results into materializations.
"""
