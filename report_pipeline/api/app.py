"""The FastAPI application: `create_app()` wires settings, store, launcher and routers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from report_pipeline.api import access_log
from report_pipeline.api.audit_middleware import AuditMiddleware
from report_pipeline.api.body_limit import BodyLimitMiddleware
from report_pipeline.api.client_address import ClientAddressMiddleware
from report_pipeline.api.config import ApiConfig, api_config_from_env, check_startup_secrets
from report_pipeline.api.deps import ApiContext
from report_pipeline.api.errors import ErrorBody, error_response, install_error_handlers
from report_pipeline.api.launcher import RunLauncher, launcher_from_env
from report_pipeline.api.metrics import ApiMetrics, RequestMetricsMiddleware
from report_pipeline.api.pagination import configure_cursor_secret
from report_pipeline.api.routers import (
    audit,
    documents,
    emails,
    health,
    metrics,
    registered_users,
    report_downloads,
    reports,
    ses_events,
    unsubscribe,
)
from report_pipeline.api.security_headers import SecurityHeadersMiddleware
from report_pipeline.api.throttle import Throttle, ThrottleMiddleware
from report_pipeline.appdb.store import AppStore
from report_pipeline.resources import connections
from report_pipeline.settings import Settings, load_settings
from report_pipeline.storage.catalog import DocumentCatalog
from report_pipeline.storage.object_store import ObjectStore


def create_app(
    settings: Settings | None = None,
    *,
    config: ApiConfig | None = None,
    store: AppStore | None = None,
    launcher: RunLauncher | None = None,
    catalog: DocumentCatalog | None = None,
    object_store: ObjectStore | None = None,
) -> FastAPI:
    """The app for `settings` (default: the environment). Tests may pass any part."""
    settings = settings or load_settings()
    check_startup_secrets(settings)  # a weak secret stops the start, not a request later
    config = config or api_config_from_env(settings.api)
    if store is None:
        store = AppStore(settings.database_url)
        if not settings.database_is_external:
            store.upgrade()  # the embedded default migrates itself; production runs `db upgrade`
    configure_cursor_secret(settings.api.cursor_secret)
    context = ApiContext(
        settings=settings,
        store=store,
        config=config,
        launcher=launcher
        or launcher_from_env(settings, config.dagster_graphql_url, config.dagster_location),
        open_catalog=(lambda: catalog)
        if catalog
        else (lambda: connections.open_catalog(connections.catalog_config(settings))),
        open_object_store=(lambda: object_store)
        if object_store
        else (lambda: connections.open_object_store(connections.object_store_config(settings))),
    )
    # Swagger UI and ReDoc load scripts from a CDN: off unless asked for.
    docs = bool(settings.api.docs)
    app = FastAPI(
        title="Weekly report pipeline API",
        version="1.0.0",
        description="Subscriptions, documents, reports, emails and the audit log.",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        redirect_slashes=False,  # a redirect would echo the caller's Host header
        # Any route may refuse a body over the limit or a throttled client.
        responses={413: {"model": ErrorBody}, 429: {"model": ErrorBody}},
    )
    app.state.context = context
    access_log.install()  # unsubscribe tokens never reach the access log
    install_error_handlers(app)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, _: OperationalError) -> JSONResponse:
        return error_response(request, 503, "unavailable", "the app database is unavailable")

    # Order matters: /api/reports/{report_id} must not swallow the sub-resources.
    for module in (
        health,
        registered_users,
        emails,
        report_downloads,
        reports,
        documents,
        audit,
        unsubscribe,
        ses_events,
        metrics,
    ):
        app.include_router(module.router)
    app.add_middleware(AuditMiddleware, store=store)
    # Outside the audit log: a throttled request writes no row of its own.
    app.add_middleware(
        ThrottleMiddleware,
        store=store,
        throttle=Throttle(settings.api.rate_limit, settings.api.rate_limit_storage),
    )
    app.add_middleware(ClientAddressMiddleware, trusted=settings.api.trusted_proxies)
    app.add_middleware(SecurityHeadersMiddleware)
    app.state.metrics = ApiMetrics(store, settings)
    # Outside all but the body limit: times the whole request, audit and throttling included.
    app.add_middleware(RequestMetricsMiddleware, metrics=app.state.metrics)
    # Added last = outermost: oversized bodies are refused before auth, parsing and audit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api.max_body_bytes)
    return app
