"""`report-pipeline doctor`: is every configured service there and usable?

Each check opens the service through the same resources the pipeline uses
(so it sees exactly what a run would see) and returns findings: what is
wrong, and how to fix it. Error texts are scrubbed of credentials before
anyone sees them.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from report_pipeline.settings import Settings

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@\s]*@", re.I)


@dataclass(frozen=True)
class Finding:
    service: str
    problem: str | None  # None: the check passed
    fix: str = ""
    detail: str = ""  # what was checked, for the "ok" line
    warning: bool = False  # worth fixing, but nothing is broken: no failing exit status

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def blocking(self) -> bool:
        return self.problem is not None and not self.warning

    def line(self) -> str:
        if self.ok:
            return f"ok      {self.service}: {self.detail}"
        label = "warning" if self.warning else "problem"
        return f"{label} {self.service}: {self.problem} -> fix: {self.fix}"


def ok(service: str, detail: str) -> Finding:
    return Finding(service, None, detail=detail)


def problem(service: str, what: str, fix: str) -> Finding:
    return Finding(service, what, fix)


def scrub(text: str, settings: Settings) -> str:
    """The error text with passwords in URLs and secret values removed, on one line."""
    for name, value in settings.secrets.items():
        if len(value) >= 4:
            text = text.replace(value, f"${name}")
    text = _URL_PASSWORD.sub(r"\g<scheme>\g<user>:***@", text)
    return " ".join(text.split())[:300]


def _resource(settings: Settings, name: str):
    from report_pipeline.resources.build import build_resources

    return build_resources(settings)[name].process_config_and_initialize()


# --- object store ----------------------------------------------------------------------------


def check_object_store(settings: Settings) -> list[Finding]:
    service = f"object store ({settings.object_store})"
    if settings.object_store == "local":
        return [_check_local_dir(service, settings.objects_dir)]
    if settings.object_store != "s3":
        return [
            problem(
                service,
                f"unknown kind {settings.object_store!r}",
                "set REPORT_PIPELINE_OBJECT_STORE to local or s3",
            )
        ]
    try:
        resource = _resource(settings, "object_store")
        store = resource.open()
    except Exception as error:
        return [
            problem(
                service,
                scrub(str(error), settings),
                "set REPORT_PIPELINE_S3_BUCKET (and _S3_ENDPOINT_URL for non-AWS S3)",
            )
        ]
    return [_check_bucket(service, store, settings)]


def _check_local_dir(service: str, path) -> Finding:
    probe = path / f".doctor-{uuid.uuid4().hex}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"probe")
        probe.unlink()
    except OSError as error:
        return problem(
            service,
            f"{path} is not writable ({error.strerror})",
            "fix its permissions or point REPORT_PIPELINE_HOME elsewhere",
        )
    return ok(service, f"{path} writable")


def _check_bucket(service: str, store, settings: Settings) -> Finding:
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket = store.client, store.bucket
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchBucket", "NotFound"):
            return problem(
                service,
                f"bucket {bucket!r} does not exist",
                "create it (SSE on, public access blocked) or correct REPORT_PIPELINE_S3_BUCKET",
            )
        if code in ("403", "AccessDenied", "Forbidden"):
            return problem(
                service,
                f"access to bucket {bucket!r} denied",
                "check the AWS credentials/role: it needs s3:ListBucket,"
                " s3:GetObject, s3:PutObject (and kms:GenerateDataKey with a KMS key)",
            )
        return problem(
            service,
            f"bucket {bucket!r}: {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_S3_ENDPOINT_URL, AWS_REGION and the credentials",
        )
    except BotoCoreError as error:
        return problem(
            service,
            f"S3 unreachable: {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_S3_ENDPOINT_URL, AWS_REGION and the network",
        )
    key = f"doctor/probe-{uuid.uuid4().hex}"
    try:
        store.put(key, b"probe", "text/plain")  # with the same SSE as every write
        store.delete(key)
    except (ClientError, BotoCoreError) as error:
        return problem(
            service,
            f"cannot write to bucket {bucket!r}: {scrub(str(error), settings)}",
            "grant s3:PutObject and s3:DeleteObject under the prefix (and the KMS"
            " key to the role when REPORT_PIPELINE_S3_KMS_KEY_ID is set)",
        )
    return ok(service, f"bucket {bucket!r} exists and takes encrypted writes")


# --- catalog ---------------------------------------------------------------------------------


def check_catalog(settings: Settings) -> list[Finding]:
    service = f"catalog ({settings.catalog})"
    if settings.catalog == "embedded":
        return [_check_local_dir(service, settings.catalog_path.parent)]
    if settings.catalog != "mongodb":
        return [
            problem(
                service,
                f"unknown kind {settings.catalog!r}",
                "set REPORT_PIPELINE_CATALOG to embedded or mongodb",
            )
        ]
    if not settings.mongo.uri:
        return [
            problem(
                service,
                "REPORT_PIPELINE_MONGO_URI is not set",
                "set it, e.g. mongodb://user:pass@host:27017/?replicaSet=rs0",
            )
        ]
    from pymongo.errors import ConfigurationError, InvalidURI
    from pymongo.uri_parser import parse_uri

    try:
        parse_uri(settings.mongo.uri)  # MongoClient takes a bare host too
        collection = _resource(settings, "catalog").mongo_collection()
    except (InvalidURI, ConfigurationError, ValueError) as error:
        return [
            problem(
                service,
                f"bad MongoDB URI or option: {scrub(str(error), settings)}",
                "correct REPORT_PIPELINE_MONGO_URI (mongodb://user:pass@host:port/...)"
                " and the REPORT_PIPELINE_MONGO_* options",
            )
        ]
    except Exception as error:
        return [
            problem(
                service,
                scrub(str(error), settings),
                "check REPORT_PIPELINE_MONGO_TLS_CA_FILE and the REPORT_PIPELINE_MONGO_* options",
            )
        ]
    return [check_mongo_collection(collection, settings)]


def check_mongo_collection(collection, settings: Settings) -> Finding:
    """Reachable, authenticated, and the weekly query has its `created_at` index."""
    from pymongo.errors import OperationFailure, PyMongoError

    service = "catalog (mongodb)"
    name = f"{collection.database.name}.{collection.name}"
    try:
        collection.database.client.admin.command("ping")
        indexes = collection.index_information()
    except OperationFailure as error:
        return problem(
            service,
            f"MongoDB refused: {scrub(str(error), settings)}",
            "check the user, password and its read role on the database",
        )
    except PyMongoError as error:
        return problem(
            service,
            f"MongoDB unreachable: {scrub(str(error), settings)}",
            "check the host in REPORT_PIPELINE_MONGO_URI, the network/security group,"
            " and TLS (DocumentDB: REPORT_PIPELINE_MONGO_TLS_CA_FILE=global-bundle.pem)",
        )
    if not any(spec["key"][0][0] == "created_at" for spec in indexes.values()):
        return problem(
            service,
            f"{name} has no index on created_at: every week scans it all",
            f"run db.{collection.name}.createIndex({{created_at: 1}}) on"
            f" {collection.database.name}",
        )
    return ok(service, f"{name} reachable, created_at index present")


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


# --- mailer ----------------------------------------------------------------------------------


def check_mailer(settings: Settings) -> list[Finding]:
    service = f"mailer ({settings.mailer})"
    if settings.mailer == "outbox":
        return [_check_local_dir(service, settings.outbox_dir)]
    if settings.mailer == "smtp":
        return [_check_smtp(service, settings)]
    if settings.mailer == "ses":
        return [_check_ses(service, settings)]
    return [
        problem(
            service,
            f"unknown kind {settings.mailer!r}",
            "set REPORT_PIPELINE_MAILER to outbox, smtp or ses",
        )
    ]


def _check_smtp(service: str, settings: Settings) -> Finding:
    smtp = settings.smtp
    host, port, security = smtp.host, smtp.port, smtp.security
    username, password, ca_file = smtp.username, smtp.password, smtp.ca_file
    context = ssl.create_default_context()
    try:
        if ca_file:  # the sender adds it to the system trust store the same way
            context.load_verify_locations(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        return problem(
            service,
            f"REPORT_PIPELINE_SMTP_CA_FILE={ca_file} cannot be loaded: {error}",
            "point REPORT_PIPELINE_SMTP_CA_FILE at a PEM file of CA certificates",
        )
    try:
        smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
        kwargs = {"context": context} if security == "ssl" else {}
        with smtp_class(host, port, timeout=10, **kwargs) as smtp:
            smtp.ehlo()
            if security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if username:
                smtp.login(username, password or "")
    except ssl.SSLCertVerificationError as error:
        if error.verify_code in (62, 64):  # host name / IP address mismatch
            fix = "set REPORT_PIPELINE_SMTP_HOST to a name the server's certificate holds"
        elif ca_file:
            fix = (
                f"REPORT_PIPELINE_SMTP_CA_FILE={ca_file} does not hold the CA that signed"
                " the server's certificate"
            )
        else:
            fix = (
                "set REPORT_PIPELINE_SMTP_CA_FILE to the PEM file of the CA that signed the"
                " server's certificate (added to the system trust store)"
            )
        return problem(
            service,
            f"{host}:{port} ({security}): certificate not trusted: {error.verify_message}",
            fix,
        )
    except smtplib.SMTPAuthenticationError:
        return problem(
            service,
            f"login as {username!r} refused by {host}:{port}",
            "check REPORT_PIPELINE_SMTP_USERNAME and REPORT_PIPELINE_SMTP_PASSWORD",
        )
    except (smtplib.SMTPException, OSError) as error:
        return problem(
            service,
            f"{host}:{port} ({security}): {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_SMTP_HOST, _SMTP_PORT and _SMTP_SECURITY"
            " (starttls on 587, ssl on 465)",
        )
    return ok(service, f"{host}:{port} answers ({security}{', login ok' if username else ''})")


def _check_ses(service: str, settings: Settings) -> Finding:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "ses",
        region_name=settings.ses.region,
        endpoint_url=settings.ses.endpoint_url,
    )
    try:  # the quota answers only with working credentials and region
        quota = client.get_send_quota()
    except (ClientError, BotoCoreError) as error:
        return problem(
            service,
            f"SES: {scrub(str(error), settings)}",
            "check AWS_REGION, REPORT_PIPELINE_SES_ENDPOINT_URL and that the role may"
            " call ses:GetSendQuota and ses:SendRawEmail",
        )
    left = quota.get("Max24HourSend", 0) - quota.get("SentLast24Hours", 0)
    if left < 1:
        return problem(
            service,
            "the SES 24-hour sending quota is used up",
            "wait, or request a higher quota in the SES console",
        )
    return ok(
        service,
        f"SES reachable, {left:.0f} messages left today, {quota.get('MaxSendRate', 0):.0f}/s",
    )


# --- OCR engine ------------------------------------------------------------------------------


def check_ocr_engine(settings: Settings) -> list[Finding]:
    """The chosen engine checks itself, with the configured languages."""
    from report_pipeline.extraction.engines import engine_choice, open_engine

    service = f"OCR engine ({settings.ocr_engine})"
    try:
        engine = open_engine(engine_choice(settings))
    except Exception as error:
        return [
            problem(
                service,
                scrub(f"cannot be opened: {error}", settings),
                "install it (make tesseract) or set REPORT_PIPELINE_OCR_ENGINE=cli",
            )
        ]
    languages = tuple(name for name in settings.ocr_languages.replace(",", "+").split("+") if name)
    health = engine.check(languages)
    return [Finding(health.service, health.problem, health.fix, health.detail, health.warning)]


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


def check_send_rate(settings: Settings) -> list[Finding]:
    """With REPORT_PIPELINE_REDIS_URL: the bucket every sender takes its tokens from answers."""
    if not settings.redis_url:
        return []  # the senders share the rate through the app database, checked above
    import redis

    from report_pipeline.storage.redis_send_rate import redis_client

    service = "send rate (redis)"
    try:
        redis_client(settings.redis_url).ping()
    except (redis.RedisError, ValueError) as error:
        return [
            problem(
                service,
                f"unreachable, so no email can be sent: {scrub(str(error), settings)}",
                "check REPORT_PIPELINE_REDIS_URL (redis://[:password@]host:port/db), or unset"
                " it to share the send rate through the app database",
            )
        ]
    return [ok(service, "answers; every sender takes its send rate from one bucket there")]


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
