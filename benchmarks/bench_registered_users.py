"""List registered users with 1,000,000 rows in PostgreSQL: keyset versus offset.

Usage: python benchmarks/bench_registered_users.py [--rows N] [--repeat R] [--limit L]
       [--server postgresql://postgres@127.0.0.1:5432/postgres]

Creates a throwaway database on the server (dropped at the end), fills it with
N subscribers, then times, interleaved in the same run:
  - the same page query two ways (keyset `id > last` vs `OFFSET`), first page and the
    page after N/2 rows;
  - the real endpoint (`GET /api/reports/registered-users` in-process, auth included)
    for the first page and for the deep page through its cursor.
The last line, ``ratio: X.XX``, is keyset deep-page p50 / offset deep-page p50.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid

import psycopg2
from sqlalchemy import select, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from report_pipeline.appdb.schema import Subscriber
from report_pipeline.appdb.store import AppStore
from report_pipeline.appdb.subscriptions import subscribers_page


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fill(store: AppStore, rows: int) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscribers (email, name, active, subscribed_at)"
                " SELECT 'user' || g || '@example.com', 'User ' || g, g % 10 <> 0, now()"
                " FROM generate_series(1, :rows) AS g"
            ),
            {"rows": rows},
        )
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE subscribers"))


def offset_page(store: AppStore, offset: int, limit: int) -> list:
    with store.session() as session:
        return list(
            session.scalars(
                select(Subscriber).order_by(Subscriber.id).offset(offset).limit(limit + 1)
            )
        )


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    name = f"rp_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(args.server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = args.server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://")
    store = AppStore(f"{url}/{name}")
    try:
        store.upgrade()
        started = time.perf_counter()
        fill(store, args.rows)
        print(f"filled {args.rows:,} subscribers in {time.perf_counter() - started:.1f}s")
        deep = args.rows // 2
        with store.engine.connect() as connection:
            deep_key = connection.execute(
                text("SELECT id FROM subscribers ORDER BY id OFFSET :n LIMIT 1"), {"n": deep - 1}
            ).scalar_one()
        limit = args.limit
        api = api_client(store)
        cursor = api_cursor(deep_key)
        cases = {
            "keyset first": lambda: subscribers_page(store, after=None, limit=limit),
            "offset first": lambda: offset_page(store, 0, limit),
            "keyset deep": lambda: subscribers_page(store, after=deep_key, limit=limit),
            "offset deep": lambda: offset_page(store, deep, limit),
            "api first": lambda: api.get(
                "/api/reports/registered-users", params={"limit": limit}, headers=HEADERS
            ),
            "api deep": lambda: api.get(
                "/api/reports/registered-users",
                params={"limit": limit, "cursor": cursor},
                headers=HEADERS,
            ),
        }
        # Same items either way (a benchmark of a wrong answer is worthless).
        assert [r.id for r in subscribers_page(store, after=deep_key, limit=limit).items] == [
            r.id for r in offset_page(store, deep, limit)[:limit]
        ]
        deep_page = api.get(
            "/api/reports/registered-users",
            params={"limit": limit, "cursor": cursor},
            headers=HEADERS,
        )
        assert deep_page.status_code == 200, deep_page.text
        assert deep_page.json()["items"][0]["id"] > deep_key
        for fn in cases.values():  # warm caches and connections
            fn()
        samples: dict[str, list[float]] = {case: [] for case in cases}
        for _ in range(args.repeat):  # interleaved: drift hits every case alike
            for case, fn in cases.items():
                samples[case].append(timed(fn))
        print(
            f"PostgreSQL, {args.rows:,} rows, limit {limit}, deep page after {deep:,} rows,"
            f" {args.repeat} runs each"
        )
        for case, values in samples.items():
            print(
                f"{case:13s} p50 {percentile(values, 0.5):8.2f} ms"
                f"   p95 {percentile(values, 0.95):8.2f} ms"
            )
        ratio = percentile(samples["keyset deep"], 0.5) / percentile(samples["offset deep"], 0.5)
        print(f"ratio: {ratio:.2f}")
    finally:
        store.engine.dispose()
        admin.cursor().execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


SECRET = "bench-" + "s" * 40
HEADERS: dict[str, str] = {}


def api_client(store: AppStore):
    import jwt
    from fastapi.testclient import TestClient

    from report_pipeline.api.app import create_app
    from report_pipeline.api.config import ApiConfig, JwtConfig
    from report_pipeline.api.launcher import EmbeddedRunLauncher
    from report_pipeline.settings import load_settings

    os.environ.setdefault("REPORT_PIPELINE_HOME", tempfile.mkdtemp(prefix="rp-bench-"))
    settings = load_settings()
    config = ApiConfig(JwtConfig("HS256", SECRET, "bench", "bench"), None, None, 60)
    HEADERS["Authorization"] = "Bearer " + jwt.encode(
        {
            "sub": "bench",
            "iss": "bench",
            "aud": "bench",
            "roles": ["analyst"],
            "exp": int(time.time()) + 3600,
        },
        SECRET,
        algorithm="HS256",
    )
    return TestClient(
        create_app(settings, config=config, store=store, launcher=EmbeddedRunLauncher(settings))
    )


def api_cursor(key: int) -> str:
    from report_pipeline.api.pagination import encode_cursor

    # The listing's filters as the endpoint binds them into its cursors (no filter given).
    return encode_cursor(key, "registered-users", {"active": None, "customer": None})


if __name__ == "__main__":
    main()
