"""A test app: the product's API plus the delivery routers (in case app.py lacks them yet)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.api.routers import ses_events, unsubscribe
from report_pipeline.appdb.store import AppStore
from report_pipeline.storage.catalog import EmbeddedCatalog


class _NoLauncher:
    def launch_week(self, *_args: object) -> str:
        raise AssertionError("not used")

    launch_emails = launch_week


def delivery_client(settings, store: AppStore, **state: object) -> TestClient:
    config = ApiConfig(
        jwt=None, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
    )
    app = create_app(
        settings,
        config=config,
        store=store,
        launcher=_NoLauncher(),
        catalog=EmbeddedCatalog(settings.catalog_path),
    )
    paths = {getattr(route, "path", None) for route in app.routes}
    for module, path in ((unsubscribe, "/unsubscribe"), (ses_events, "/api/ses/notifications")):
        if path not in paths:
            app.include_router(module.router)
    for name, value in state.items():
        setattr(app.state, name, value)
    return TestClient(app, raise_server_exceptions=False)
