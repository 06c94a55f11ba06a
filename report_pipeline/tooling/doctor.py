"""`report-pipeline doctor`: is every configured service there and usable?

Each backend checks itself: the doctor asks the chosen kind of each system
(catalog, object store, mailer, OCR engine, send rate) for its check in
backends.py, which opens the service the way a run would and returns a Health.
The checks here are of what is no backend: the app database, the executor,
links, secrets and the state. Error texts are scrubbed of credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from report_pipeline import backends
from report_pipeline.backends import Backend
from report_pipeline.health import Health, scrub
from report_pipeline.health import healthy as ok
from report_pipeline.health import unhealthy as problem
from report_pipeline.settings import Settings

# A doctor line is a backend's Health: the checks below give the same type.
Finding = Health

# The variable that chooses each system's kind, for the line about an unknown kind.
_CHOSEN_BY = {
    "object store": "REPORT_PIPELINE_OBJECT_STORE",
    "catalog": "REPORT_PIPELINE_CATALOG",
    "mailer": "REPORT_PIPELINE_MAILER",
    "OCR engine": "REPORT_PIPELINE_OCR_ENGINE",
    "send rate": "REPORT_PIPELINE_REDIS_URL",
}


def check_backend(
    settings: Settings, registry: Mapping[str, Backend], system: str, kind: str
) -> list[Finding]:
    """The chosen kind's own check; an unknown kind is one line naming the ones there are."""
    try:
        check = backends.check(registry, system, kind)
    except ValueError:
        kinds = " or ".join(registry)
        return [
            problem(
                f"{system} ({kind})",
                f"unknown kind {kind!r}",
                f"set {_CHOSEN_BY[system]} to {kinds}",
            )
        ]
    health = check(settings)
    return [] if health is None else [health]


def check_object_store(settings: Settings) -> list[Finding]:
    return check_backend(settings, backends.OBJECT_STORES, "object store", settings.object_store)


def check_catalog(settings: Settings) -> list[Finding]:
    return check_backend(settings, backends.CATALOGS, "catalog", settings.catalog)


def check_mailer(settings: Settings) -> list[Finding]:
    return check_backend(settings, backends.MAILERS, "mailer", settings.mailer)


def check_ocr_engine(settings: Settings) -> list[Finding]:
    return check_backend(settings, backends.OCR_ENGINES, "OCR engine", settings.ocr_engine)


def check_send_rate(settings: Settings) -> list[Finding]:
    """Where the senders share their rate: Redis when configured, else the app database."""
    kind = "redis" if settings.redis_url else "database"  # the doctor has an app database
    return check_backend(settings, backends.SEND_RATES, "send rate", kind)


# --- app database ----------------------------------------------------------------------------


def check_app_database(settings: Settings) -> list[Finding]:
    from sqlalchemy import create_engine

    from report_pipeline.appdb.store import database_revision, schema_head

    url = settings.database_url
    service = f"app database ({url.split(':', 1)[0].split('+')[0]})"
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    try:
        engine = create_engine(url, connect_args=connect_args)
        revision = database_revision(engine)
        engine.dispose()
    except Exception as error:
        return [
            problem(
                service,
                f"unreachable: {scrub(str(error), settings)}",
                "check REPORT_PIPELINE_DATABASE_URL (host, port, user, password, database)"
                " and that the server accepts connections from here",
            )
        ]
    head = schema_head()
    if revision != head and settings.database_is_external:
        return [
            problem(
                service,
                f"schema at {revision or 'nothing'}, code expects {head}",
                "run `report-pipeline db upgrade` with the same REPORT_PIPELINE_DATABASE_URL",
            )
        ]
    return [
        ok(
            service,
            "reachable"
            + (", schema current" if revision == head else ", migrates itself on first use"),
        )
    ]


# --- step executor ---------------------------------------------------------------------------


def check_executor(settings: Settings) -> list[Finding]:
    """With Celery: the broker answers and at least one worker listens."""
    if settings.executor != "celery":
        return []
    service = "executor (celery)"
    broker = settings.celery_broker
    if not broker:
        return [
            problem(
                service,
                "REPORT_PIPELINE_CELERY_BROKER is not set",
                "set it to the Redis URL the workers use, e.g. redis://redis:6379/0",
            )
        ]
    import redis
    from celery import Celery

    try:
        redis.Redis.from_url(broker, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as error:
        return [
            problem(
                service,
                f"broker unreachable: {scrub(str(error), settings)}",
                "check REPORT_PIPELINE_CELERY_BROKER (redis://[:password@]host:port/db)",
            )
        ]
    app = Celery(broker=broker, backend=broker)
    try:
        workers = app.control.ping(timeout=2.0)
    finally:
        app.close()
    if not workers:
        return [
            problem(
                service,
                "no Celery worker answers: runs would wait forever",
                "start workers: celery -A dagster_celery.app worker -Q dagster"
                " (with deploy/celery on PYTHONPATH and the same environment)",
            )
        ]
    return [ok(service, f"broker answers, {len(workers)} worker(s) listening")]


def check_unsubscribe(settings: Settings) -> list[Finding]:
    """Real mail (smtp, ses) needs links recipients can reach, signed with a kept secret.

    The embedded default links to the local API and generates its secret under
    the state directory; a production install must say where its API is public
    and manage the secret itself (a lost generated file breaks every mailed link).
    """
    service = "unsubscribe links"
    delivery = settings.delivery
    url = delivery.unsubscribe_url or ""
    if settings.mailer == "outbox":
        source = (
            "set"
            if delivery.unsubscribe_secret
            else (f"generated in {delivery.unsubscribe_secret_file}")
        )
        return [ok(service, f"{url} (secret {source})")]
    missing = []
    if not settings.public_url_is_set:
        missing.append("REPORT_PIPELINE_PUBLIC_URL (the https address of `report-pipeline api`)")
    if not delivery.unsubscribe_secret:
        missing.append("REPORT_PIPELINE_UNSUBSCRIBE_SECRET (32+ random characters)")
    if missing:
        return [
            problem(
                service,
                "real mail goes out with links to this machine's defaults",
                "set " + " and ".join(missing),
            )
        ]
    if not url.startswith("https://"):
        return [
            problem(
                service,
                f"{url} is not https; mail clients refuse one-click over http",
                "set REPORT_PIPELINE_PUBLIC_URL to an https address",
            )
        ]
    return [ok(service, f"{url} (secret set)")]


# --- security ------------------------------------------------------------------------------


def check_security(settings: Settings) -> list[Finding]:
    """The same secret-strength rule the API applies at start, and the SNS allow-list."""
    from report_pipeline.secret_strength import startup_secrets, weak_secrets

    secrets = startup_secrets(settings)
    findings = [
        problem("secrets", weak, "set a random value: `openssl rand -base64 48`")
        for weak in weak_secrets(secrets)
    ]
    if settings.mailer == "ses" and not settings.ses.sns_topic_arns:
        findings.append(
            Finding(
                "ses events",
                "REPORT_PIPELINE_SES_SNS_TOPIC_ARNS is not set: the SNS endpoint"
                " refuses every message (403), so bounces and complaints are not recorded",
                "set it to the ARN(s) of the SNS topic(s) your SES configuration set publishes to",
                warning=True,
            )
        )
    if not findings and any(secrets.values()):
        findings.append(ok("secrets", "signing secrets long and varied enough"))
    return findings


def check_first_use_state(settings: Settings) -> list[Finding]:
    """Stores left inconsistent by first starts that interleaved (before they were serialized)."""
    from report_pipeline.storage.first_use import version_table_problems

    found = version_table_problems([settings.dagster_home, settings.home])
    if not found:
        return []  # nothing to report on a healthy state, as the security check
    fix = (
        "these stores were never usable (their first creation failed): stop every"
        " report-pipeline process, move the named files aside and run the command again;"
        " one with history: keep one row in its alembic_version and run `dagster instance migrate`"
    )
    return [problem("state version tables", line, fix) for line in found]


def check_type_model(settings: Settings) -> list[Finding]:
    """Which document-type model runs use (read in full, as a run loads it), or that none is."""
    from report_pipeline.classify import ModelError
    from report_pipeline.pipeline.type_classifier import active_model
    from report_pipeline.resources.connections import object_store_config, open_object_store

    service = "type model"
    try:
        store = open_object_store(object_store_config(settings))
        model = active_model(store)
    except ModelError as error:
        fix = "train it again: `report-pipeline documents train --force`"
        return [problem(service, f"unreadable: {error}", fix)]
    except Exception as error:  # any store failure: the object store line names it
        what = f"not checked, the object store failed: {scrub(str(error), settings)}"
        return [Finding(service, what, "see the object store line", warning=True)]
    if model is None:
        return [ok(service, "none trained: types come from the taxonomy's rules")]
    trained = f", trained {model.trained_at}" if model.trained_at else ""
    return [ok(service, f"{model.version} active ({model.examples} labeled documents{trained})")]


CHECKS: tuple[Callable[[Settings], list[Finding]], ...] = (
    check_object_store,
    check_catalog,
    check_app_database,
    check_mailer,
    check_ocr_engine,
    check_executor,
    check_send_rate,
    check_unsubscribe,
    check_security,
    check_first_use_state,
    check_type_model,
)


def run_checks(settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings += check(settings)
        except Exception as error:
            findings.append(
                problem(
                    check.__name__.removeprefix("check_").replace("_", " "),
                    scrub(f"{type(error).__name__}: {error}", settings),
                    "see the message; report a bug if it is unclear",
                )
            )
    return findings
