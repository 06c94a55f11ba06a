"""The API as an attacker meets it: uvicorn on 127.0.0.1 on a free port, real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from report_pipeline.api.app import create_app
from report_pipeline.api.config import ApiConfig
from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import Settings, load_settings
from report_pipeline.storage.catalog import EmbeddedCatalog
from report_pipeline_tests.api.conftest import JWT, RecordingLauncher, auth  # noqa: F401
from report_pipeline_tests.services import free_port

UNSUBSCRIBE_SECRET = "unsubscribe-secret-" + "Kq7#" * 10


@dataclass
class RunningApi:
    url: str
    app: FastAPI
    store: AppStore
    launcher: RecordingLauncher
    settings: Settings
    catalog: EmbeddedCatalog
    server: uvicorn.Server | None = None

    def wait_idle(self) -> None:
        """Until no request is in flight (audit rows are written after the response)."""
        while self.server is not None and (
            self.server.server_state.tasks or self.server.server_state.connections
        ):
            time.sleep(0.01)

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


@dataclass
class _Server:
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()


def serve(app: FastAPI, port: int) -> _Server:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="info", lifespan="off", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return _Server(server, thread)


@pytest.fixture
def start_api(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., RunningApi]]:
    """start_api(VAR=value, ..., store=...) -> the API serving on a free port."""
    servers: list[_Server] = []

    def start(store: AppStore | None = None, **env: str) -> RunningApi:
        monkeypatch.setenv("REPORT_PIPELINE_UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET)
        monkeypatch.setenv(
            "REPORT_PIPELINE_UNSUBSCRIBE_URL", "https://reports.example.test/unsubscribe"
        )
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        loaded = load_settings()
        app_store = store or AppStore(loaded.database_url)
        app_store.upgrade()
        launcher = RecordingLauncher()
        catalog = EmbeddedCatalog(Path(loaded.catalog_path))
        config = ApiConfig(
            jwt=JWT, dagster_graphql_url=None, dagster_location=None, download_ttl_seconds=300
        )
        app = create_app(loaded, config=config, store=app_store, launcher=launcher, catalog=catalog)
        port = free_port()
        servers.append(serve(app, port))
        return RunningApi(
            f"http://127.0.0.1:{port}",
            app,
            app_store,
            launcher,
            loaded,
            catalog,
            servers[-1].server,
        )

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def api(start_api: Callable[..., RunningApi]) -> RunningApi:
    return start_api()
