"""`report-pipeline api`: serve the HTTP API."""

from __future__ import annotations

import click

from report_pipeline.cli.common import UserError


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def api(host: str, port: int) -> None:
    """Serve the HTTP API (OpenAPI schema at /openapi.json; /docs with REPORT_PIPELINE_API_DOCS)."""
    import uvicorn

    from report_pipeline.api.app import create_app
    from report_pipeline.api.config import ConfigError

    try:
        app = create_app()
    except ConfigError as error:
        raise UserError(str(error)) from None
    port_of_metrics = app.state.context.settings.api.metrics_port
    if port_of_metrics:
        from report_pipeline.api.metrics import serve_on_port

        serve_on_port(app.state.metrics, port_of_metrics)  # unauthenticated, on its own port
    # X-Forwarded-For is honoured by the app itself, and only from
    # REPORT_PIPELINE_API_TRUSTED_PROXIES; uvicorn must not take it from anyone.
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)


COMMANDS = (api,)
