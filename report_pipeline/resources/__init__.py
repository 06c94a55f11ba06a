"""How the pipeline reaches each external system.

``connections`` opens the domain interfaces (object store, catalog, app
database, mailer) from the settings without Dagster, for the CLI and the API;
``configurable`` wraps the same choices as Dagster resources and ``build``
assembles them for the code location.
"""
