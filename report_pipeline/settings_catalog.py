# ruff: noqa: E501 (the meanings are prose, one line each on the generated page)
"""What each environment variable means: the catalog docs/configuration.md is generated from.

Kept beside settings.py, not inside it, so that the loader (``read.<kind>("NAME", ...)``) stays
the one place that parses values and this text can change without touching it. A test checks
that this catalog names exactly the variables the code reads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    topic: str
    default: str
    allowed: str
    meaning: str


# (topic, heading, introduction), in page order
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("core", "Core", "Where state lives, the first week and the schedule."),
    ("catalog", "Document catalog", "Embedded SQLite or MongoDB / Amazon DocumentDB."),
    ("objects", "Object store", "A local directory or S3 (any S3-compatible endpoint)."),
    ("ocr", "OCR", "Tesseract (tesserocr or the CLI) or AWS Textract; see [Scans](scans.md)."),
    ("documents", "Documents and batches", "See [Accepted formats](scans.md#accepted-formats)."),
    ("gate", "Completeness gate and alerts", "See [Operations](operations.md)."),
    ("mail", "Mail: outbox, SMTP, SES", "See [Email delivery](delivery.md)."),
    (
        "delivery",
        "Delivery: outbox, retries, unsubscribe, sender workers",
        "See [Email delivery](delivery.md).",
    ),
    ("patient", "Patient data", "See [Patient data](patient-data.md)."),
    ("api", "HTTP API and security", "See [HTTP API](api.md) and [Security](security.md)."),
    (
        "monitoring",
        "Monitoring",
        "See [Monitoring](deployment.md#monitoring-prometheus-metrics-and-alert-rules).",
    ),
    ("executor", "Scheduling and executor", "See [Production and scaling](deployment.md)."),
    (
        "aws",
        "AWS",
        "Credentials come from the standard AWS chain (environment, profile, instance role).",
    ),
)

VARIABLES: dict[str, Variable] = {
    "DAGSTER_HOME": Variable(
        "core",
        default="`var/dagster` under `REPORT_PIPELINE_HOME`",
        allowed="text",
        meaning="the Dagster instance home (holds `dagster.yaml`; see deployment)",
    ),
    "REPORT_PIPELINE_DATABASE_URL": Variable(
        "core",
        default="SQLite in `var/`",
        allowed="text",
        meaning="SQLAlchemy URL of the app database (PostgreSQL in production)",
    ),
    "REPORT_PIPELINE_FIRST_WEEK": Variable(
        "core",
        default="`2026-01-05`",
        allowed="date `YYYY-MM-DD`",
        meaning='first weekly partition (a Monday; see "Choosing the first week")',
    ),
    "REPORT_PIPELINE_HOME": Variable(
        "core",
        default="`./var`",
        allowed="text",
        meaning="local state directory",
    ),
    "REPORT_PIPELINE_SCHEDULE_ENABLED": Variable(
        "core",
        default="on",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="the weekly schedule starts on its own (`0` to leave it stopped)",
    ),
    "REPORT_PIPELINE_READ_AHEAD": Variable(
        "core",
        default="on",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="the read-ahead schedule starts on its own: documents are read every 3 hours"
        " during the week, so the Monday run only aggregates (`0` to leave it stopped)",
    ),
    "REPORT_PIPELINE_SCHEDULE_TIMEZONE": Variable(
        "core",
        default="`UTC`",
        allowed="text",
        meaning="timezone of the Monday 06:00 schedule",
    ),
    "REPORT_PIPELINE_CATALOG": Variable(
        "catalog",
        default="`embedded`",
        allowed="`embedded`, `mongodb`",
        meaning="`embedded` or `mongodb`",
    ),
    "REPORT_PIPELINE_CATALOG_FIELDS": Variable(
        "catalog",
        default="aliases",
        allowed="`ours=theirs,...`",
        meaning="how another team's collection names our fields, `ours=theirs,...` (e.g. `document_id=_id,file_location=FileLocation,created_at=CreatedAt`); unmapped fields use the built-in aliases",
    ),
    "REPORT_PIPELINE_CUSTOMER_PATTERN": Variable(
        "catalog",
        default="`customers/(?P<customer>[^/]+)/`",
        allowed="regex with a group `customer`",
        meaning="regex with a group `customer`, searched in each object key",
    ),
    "REPORT_PIPELINE_MONGO_COLLECTION": Variable(
        "catalog",
        default="`documents`/`documents`",
        allowed="text",
        meaning="MongoDB / DocumentDB (the URI is a secret: environment only)",
    ),
    "REPORT_PIPELINE_MONGO_DATABASE": Variable(
        "catalog",
        default="`documents`/`documents`",
        allowed="text",
        meaning="MongoDB / DocumentDB (the URI is a secret: environment only)",
    ),
    "REPORT_PIPELINE_MONGO_READ_PREFERENCE": Variable(
        "catalog",
        default="`primaryPreferred`",
        allowed="text",
        meaning="read preference; retryable writes (DocumentDB has none); server selection and connect timeout",
    ),
    "REPORT_PIPELINE_MONGO_RETRY_WRITES": Variable(
        "catalog",
        default="`false`",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="read preference; retryable writes (DocumentDB has none); server selection and connect timeout",
    ),
    "REPORT_PIPELINE_MONGO_TIMEOUT_MS": Variable(
        "catalog",
        default="`10000`",
        allowed="whole number ≥ 1",
        meaning="read preference; retryable writes (DocumentDB has none); server selection and connect timeout",
    ),
    "REPORT_PIPELINE_MONGO_TLS": Variable(
        "catalog",
        default="as the URI says",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="TLS with a CA bundle (DocumentDB: `global-bundle.pem`, in the image)",
    ),
    "REPORT_PIPELINE_MONGO_TLS_CA_FILE": Variable(
        "catalog",
        default="as the URI says",
        allowed="text",
        meaning="TLS with a CA bundle (DocumentDB: `global-bundle.pem`, in the image)",
    ),
    "REPORT_PIPELINE_MONGO_URI": Variable(
        "catalog",
        default="`documents`/`documents`",
        allowed="text",
        meaning="MongoDB / DocumentDB (the URI is a secret: environment only)",
    ),
    "REPORT_PIPELINE_OBJECT_STORE": Variable(
        "objects",
        default="`local`",
        allowed="`local`, `s3`",
        meaning="`local` or `s3`",
    ),
    "REPORT_PIPELINE_S3_BUCKET": Variable(
        "objects",
        default="",
        allowed="text",
        meaning="S3 (SSE AES256, or KMS when a key id is set); credentials from the usual AWS variables or role",
    ),
    "REPORT_PIPELINE_S3_ENDPOINT_URL": Variable(
        "objects",
        default="",
        allowed="text",
        meaning="S3 (SSE AES256, or KMS when a key id is set); credentials from the usual AWS variables or role",
    ),
    "REPORT_PIPELINE_S3_KMS_KEY_ID": Variable(
        "objects",
        default="",
        allowed="text",
        meaning="S3 (SSE AES256, or KMS when a key id is set); credentials from the usual AWS variables or role",
    ),
    "REPORT_PIPELINE_S3_MAX_ATTEMPTS": Variable(
        "objects",
        default="`5`",
        allowed="whole number ≥ 1",
        meaning="botocore retries with backoff: `standard` or `adaptive` (client-side rate limiting), attempts including the first",
    ),
    "REPORT_PIPELINE_S3_PREFIX": Variable(
        "objects",
        default="",
        allowed="text",
        meaning="S3 (SSE AES256, or KMS when a key id is set); credentials from the usual AWS variables or role",
    ),
    "REPORT_PIPELINE_S3_RETRY_MODE": Variable(
        "objects",
        default="`standard`",
        allowed="`standard`, `adaptive`, `legacy`",
        meaning="botocore retries with backoff: `standard` or `adaptive` (client-side rate limiting), attempts including the first",
    ),
    "REPORT_PIPELINE_OCR_ENGINE": Variable(
        "ocr",
        default="`auto`",
        allowed="`auto`, `tesserocr`, `cli`, `textract`",
        meaning="`auto` (tesserocr when installed, model kept loaded per process), `tesserocr`, `cli` (one `tesseract` process per image) or `textract` (AWS Textract, see [Scans](scans.md#scans-turned-skewed-faxed-photos-languages))",
    ),
    "REPORT_PIPELINE_OCR_LANGUAGES": Variable(
        "ocr",
        default="`eng`",
        allowed="text",
        meaning="tesseract languages for documents whose catalog record names none (`eng`, `eng+deu`); `make tesseract` installs their packs",
    ),
    "REPORT_PIPELINE_DOCUMENT_TYPES": Variable(
        "documents",
        default="the shipped taxonomy (`classify/document_types.toml`)",
        allowed="path of a TOML or YAML file",
        meaning="the document-type taxonomy (weighted phrases and patterns per type); a malformed file is one line naming the file and the problem, see [Document types](reports.md#document-types)",
    ),
    "REPORT_PIPELINE_TYPE_MODEL_THRESHOLD": Variable(
        "documents",
        default="`0.8`",
        allowed="number above 0, at most 1",
        meaning='the probability from which the document-type model trained on operators\' labels (`report-pipeline documents train`) overrules the rules; below it a disagreement is "needs review", see [Document types](reports.md#labels-and-the-learned-model)',
    ),
    "REPORT_PIPELINE_REVIEW_CONFIDENCE": Variable(
        "ocr",
        default="`60`",
        allowed="number 0..100",
        meaning='OCR confidence (0-100) below which an image is listed under "Needs review"',
    ),
    "REPORT_PIPELINE_TEXTRACT_ENDPOINT_URL": Variable(
        "ocr",
        default="AWS",
        allowed="text",
        meaning="Textract endpoint (VPC endpoint, tests), region (else `AWS_REGION`), attempts per page with backoff on throttling",
    ),
    "REPORT_PIPELINE_TEXTRACT_MAX_ATTEMPTS": Variable(
        "ocr",
        default="`5`",
        allowed="whole number ≥ 1",
        meaning="Textract endpoint (VPC endpoint, tests), region (else `AWS_REGION`), attempts per page with backoff on throttling",
    ),
    "REPORT_PIPELINE_TEXTRACT_REGION": Variable(
        "ocr",
        default="`AWS_REGION`",
        allowed="text",
        meaning="Textract endpoint (VPC endpoint, tests), region (else `AWS_REGION`), attempts per page with backoff on throttling",
    ),
    "TESSDATA_PREFIX": Variable(
        "ocr",
        default="the tesseract packs installed",
        allowed="text",
        meaning="directory of tesseract language packs (`*.traineddata`)",
    ),
    "REPORT_PIPELINE_BATCH_SIZE": Variable(
        "documents",
        default="`16`",
        allowed="whole number ≥ 1",
        meaning="work per feature batch (one step each), in scanned pages: a page image counts 1, a text note about 0.002 (plus 1 per 20 MB), a PDF its pages needing OCR (text-layer pages 0.005; see [Pages as the unit of work](scans.md#pages-as-the-unit-of-work)), so notes share steps; batches come in full waves of one per CPU, and documents already in the feature cache go into one extra batch",
    ),
    "REPORT_PIPELINE_MAX_DOCUMENT_BYTES": Variable(
        "documents",
        default="`209715200` (200 MB)",
        allowed="whole number ≥ 1",
        meaning="largest file `documents add` stores (streamed; larger files are refused)",
    ),
    "REPORT_PIPELINE_MAX_PAGES": Variable(
        "documents",
        default="`500`",
        allowed="whole number ≥ 1",
        meaning="pages of one PDF above which it is a dead letter",
    ),
    "REPORT_PIPELINE_DEADLINE_HOURS": Variable(
        "gate",
        default="`12`",
        allowed="number",
        meaning="hours after a week closes by which report and emails must be done",
    ),
    "REPORT_PIPELINE_MAIL_EMPTY_WEEKS": Variable(
        "gate",
        default="off",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="mail a report for a week without documents",
    ),
    "REPORT_PIPELINE_MAX_FAILED_SHARE": Variable(
        "gate",
        default="`0.10`",
        allowed="share 0..1",
        meaning="failed share of a week's documents above which emails are held",
    ),
    "REPORT_PIPELINE_OPERATOR_EMAILS": Variable(
        "gate",
        default="none (alerts logged)",
        allowed="comma-separated list",
        meaning="comma-separated operator addresses for alerts",
    ),
    "REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS": Variable(
        "mail",
        default="none: refused",
        allowed="comma-separated domain names",
        meaning="comma-separated special-use domains accepted in subscriber addresses, e.g. `test,local` for staging or internal relays (each entry matches the domain and its subdomains)",
    ),
    "REPORT_PIPELINE_MAILER": Variable(
        "mail",
        default="`outbox`",
        allowed="`outbox`, `smtp`, `ses`",
        meaning="`outbox`, `smtp` or `ses`",
    ),
    "REPORT_PIPELINE_MAIL_FROM": Variable(
        "mail",
        default="`reports@example.com`",
        allowed="text",
        meaning="sender address",
    ),
    "REPORT_PIPELINE_MAIL_FROM_NAME": Variable(
        "mail",
        default="`Weekly document report`",
        allowed="text",
        meaning="sender display name (`From: Name <address>`)",
    ),
    "REPORT_PIPELINE_MAX_ATTACHMENT_BYTES": Variable(
        "mail",
        default="7 MB",
        allowed="whole number ≥ 0",
        meaning="attach limit; presigned link lifetime (s)",
    ),
    "REPORT_PIPELINE_SES_CONFIGURATION_SET": Variable(
        "mail",
        default="",
        allowed="text",
        meaning="SES v2 in `AWS_REGION` (credentials from the AWS chain); the send rate defaults to the account's `MaxSendRate`",
    ),
    "REPORT_PIPELINE_SES_ENDPOINT_URL": Variable(
        "mail",
        default="",
        allowed="text",
        meaning="SES v2 in `AWS_REGION` (credentials from the AWS chain); the send rate defaults to the account's `MaxSendRate`",
    ),
    "REPORT_PIPELINE_SES_MAX_SEND_RATE": Variable(
        "mail",
        default="",
        allowed="positive number",
        meaning="SES v2 in `AWS_REGION` (credentials from the AWS chain); the send rate defaults to the account's `MaxSendRate`",
    ),
    "REPORT_PIPELINE_SES_SNS_TOPIC_ARNS": Variable(
        "mail",
        default="none: every message refused",
        allowed="comma-separated list",
        meaning="SNS topics accepted (comma-separated); required for the SNS endpoint",
    ),
    "REPORT_PIPELINE_SMTP_CA_FILE": Variable(
        "mail",
        default="system CAs only",
        allowed="text",
        meaning="PEM file of a private CA that signed the SMTP server's certificate; added to the system trust store (not replacing it, unlike `SSL_CERT_FILE`)",
    ),
    "REPORT_PIPELINE_SMTP_HOST": Variable(
        "mail",
        default="",
        allowed="text",
        meaning="SMTP",
    ),
    "REPORT_PIPELINE_SMTP_MAX_RATE": Variable(
        "mail",
        default="no limit",
        allowed="positive number",
        meaning="messages per second for all SMTP senders together",
    ),
    "REPORT_PIPELINE_SMTP_PASSWORD": Variable(
        "mail",
        default="",
        allowed="text",
        meaning="SMTP",
    ),
    "REPORT_PIPELINE_SMTP_PORT": Variable(
        "mail",
        default="",
        allowed="whole number ≥ 1",
        meaning="SMTP",
    ),
    "REPORT_PIPELINE_SMTP_SECURITY": Variable(
        "mail",
        default="",
        allowed="`starttls`, `ssl`, `none`",
        meaning="SMTP",
    ),
    "REPORT_PIPELINE_SMTP_TIMEOUT_SECONDS": Variable(
        "mail",
        default="`30`",
        allowed="positive number",
        meaning="seconds the sender waits to connect and for each SMTP reply before it retries the message later (a reply that comes after this may mean a second copy, same Message-ID)",
    ),
    "REPORT_PIPELINE_SMTP_USERNAME": Variable(
        "mail",
        default="",
        allowed="text",
        meaning="SMTP",
    ),
    "REPORT_PIPELINE_DELIVERY_BATCH_SIZE": Variable(
        "delivery",
        default="`20`",
        allowed="whole number ≥ 1",
        meaning="rows per claim",
    ),
    "REPORT_PIPELINE_DELIVERY_LEASE_SECONDS": Variable(
        "delivery",
        default="`120`",
        allowed="number",
        meaning="lease on a `sending` row",
    ),
    "REPORT_PIPELINE_DELIVERY_MAX_ATTEMPTS": Variable(
        "delivery",
        default="`5`",
        allowed="whole number ≥ 1",
        meaning="tries per delivery before `dead`",
    ),
    "REPORT_PIPELINE_DELIVERY_RETRY_BASE_SECONDS": Variable(
        "delivery",
        default="`30`",
        allowed="number",
        meaning="backoff base and cap",
    ),
    "REPORT_PIPELINE_DELIVERY_RETRY_MAX_SECONDS": Variable(
        "delivery",
        default="`1800`",
        allowed="number",
        meaning="backoff base and cap",
    ),
    "REPORT_PIPELINE_DELIVERY_WAIT_FOR_RETRIES": Variable(
        "delivery",
        default="`true`",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="the run waits for retries until every row is settled",
    ),
    "REPORT_PIPELINE_REDIS_URL": Variable(
        "delivery",
        default="the app database",
        allowed="`redis://` or `rediss://` URL",
        meaning="Redis for the shared send-rate bucket (`redis://`, `rediss://`; secret when it carries a password)",
    ),
    "REPORT_PIPELINE_SENDERS": Variable(
        "delivery",
        default="`in-process`",
        allowed="`in-process`, `workers`",
        meaning="`in-process` (the email run sends) or `workers` (it waits for `deliveries work`)",
    ),
    "REPORT_PIPELINE_SENDERS_IDLE_TIMEOUT": Variable(
        "delivery",
        default="`600`",
        allowed="positive number",
        meaning="seconds the email run waits for a worker to settle any due row before it fails",
    ),
    "REPORT_PIPELINE_UNSUBSCRIBE_MAILTO": Variable(
        "delivery",
        default="`$REPORT_PIPELINE_PUBLIC_URL/unsubscribe`",
        allowed="text",
        meaning="one-click link base (https; http only for this machine), mailto address",
    ),
    "REPORT_PIPELINE_UNSUBSCRIBE_PREVIOUS_SECRETS": Variable(
        "delivery",
        default="90 days",
        allowed="comma-separated list",
        meaning="token key (32+ chars, 8+ different ones; checked at start), old keys still accepted, lifetime",
    ),
    "REPORT_PIPELINE_UNSUBSCRIBE_SECRET": Variable(
        "delivery",
        default="90 days",
        allowed="secret",
        meaning="token key (32+ chars, 8+ different ones; checked at start), old keys still accepted, lifetime",
    ),
    "REPORT_PIPELINE_UNSUBSCRIBE_TOKEN_DAYS": Variable(
        "delivery",
        default="90 days",
        allowed="number",
        meaning="token key (32+ chars, 8+ different ones; checked at start), old keys still accepted, lifetime",
    ),
    "REPORT_PIPELINE_UNSUBSCRIBE_URL": Variable(
        "delivery",
        default="`$REPORT_PIPELINE_PUBLIC_URL/unsubscribe`",
        allowed="text",
        meaning="one-click link base (https; http only for this machine), mailto address",
    ),
    "REPORT_PIPELINE_DELIVERY_MODE": Variable(
        "patient",
        default="`link` on S3, else `attachment`",
        allowed="text",
        meaning="`attachment` or `link`",
    ),
    "REPORT_PIPELINE_DELIVERY_MODE_BY_CUSTOMER": Variable(
        "patient",
        default="every scope uses the mode above",
        allowed="`customer=mode,...`",
        meaning="per customer scope, e.g. `acme=link,globex=attachment`",
    ),
    "REPORT_PIPELINE_DOWNLOAD_LINK_TTL": Variable(
        "patient",
        default="`7d`",
        allowed="seconds",
        meaning="link lifetime (s, or with `m`/`h`/`d`)",
    ),
    "REPORT_PIPELINE_DOWNLOAD_SECRET": Variable(
        "patient",
        default="generated into the home",
        allowed="secret, at least 32 characters",
        meaning="download-token key, 32+ chars",
    ),
    "REPORT_PIPELINE_DOWNLOAD_URL_TTL": Variable(
        "patient",
        default="`300`",
        allowed="whole number ≥ 1",
        meaning="lifetime (s) of presigned S3 links to report PDFs",
    ),
    "REPORT_PIPELINE_EMAIL_LINK_TTL": Variable(
        "patient",
        default="7 days",
        allowed="whole number ≥ 1",
        meaning="attach limit; presigned link lifetime (s)",
    ),
    "REPORT_PIPELINE_RETENTION_DAYS": Variable(
        "patient",
        default="`400`",
        allowed="whole number ≥ 1",
        meaning="age (days) past which features, manifests, reports and outbox files are deleted",
    ),
    "REPORT_PIPELINE_API_CURSOR_SECRET": Variable(
        "api",
        default="random per process",
        allowed="text",
        meaning="HMAC key of pagination cursors (secret; set it when several replicas serve the API)",
    ),
    "REPORT_PIPELINE_API_DOCS": Variable(
        "api",
        default="`false`",
        allowed="flag: 1/true/yes/on or 0/false/no/off",
        meaning="serve Swagger UI at `/docs` and ReDoc at `/redoc` (they load scripts from a CDN)",
    ),
    "REPORT_PIPELINE_API_MAX_BODY_BYTES": Variable(
        "api",
        default="`1048576`",
        allowed="whole number ≥ 1024",
        meaning="largest request body; larger ones get 413 before authentication or parsing",
    ),
    "REPORT_PIPELINE_API_RATE_LIMIT": Variable(
        "api",
        default="`20/minute`",
        allowed="rate, e.g. `100/minute`",
        meaning="denied requests (401/403) per client before 429: `N/second`, `N/minute` or `N/hour`",
    ),
    "REPORT_PIPELINE_API_RATE_LIMIT_STORAGE": Variable(
        "api",
        default="in-process",
        allowed="text",
        meaning="where throttling counters live: `redis://host:6379/1` to share them between replicas (secret when it carries a password)",
    ),
    "REPORT_PIPELINE_API_TRUSTED_PROXIES": Variable(
        "api",
        default="none: the socket peer",
        allowed="comma-separated IPs/CIDR networks",
        meaning="addresses/CIDR networks whose `X-Forwarded-For` is believed (the TLS proxy)",
    ),
    "REPORT_PIPELINE_DAGSTER_GRAPHQL_URL": Variable(
        "api",
        default="embedded: a detached run on the local instance",
        allowed="text",
        meaning="Dagster webserver, e.g. `http://dagster-webserver:3000`: runs are launched through its GraphQL API",
    ),
    "REPORT_PIPELINE_DAGSTER_LOCATION": Variable(
        "api",
        default="",
        allowed="text",
        meaning="code location of `weekly_report_job` when several exist",
    ),
    "REPORT_PIPELINE_JWT_ALGORITHM": Variable(
        "api",
        default="`HS256`",
        allowed="text",
        meaning="`HS256` (shared secret) or `RS256` (public key)",
    ),
    "REPORT_PIPELINE_JWT_AUDIENCE": Variable(
        "api",
        default="",
        allowed="text",
        meaning="required `iss` and `aud`",
    ),
    "REPORT_PIPELINE_JWT_ISSUER": Variable(
        "api",
        default="",
        allowed="text",
        meaning="required `iss` and `aud`",
    ),
    "REPORT_PIPELINE_JWT_PUBLIC_KEY": Variable(
        "api",
        default="",
        allowed="text",
        meaning="RS256 public key (PEM text or file)",
    ),
    "REPORT_PIPELINE_JWT_PUBLIC_KEY_FILE": Variable(
        "api",
        default="",
        allowed="text",
        meaning="RS256 public key (PEM text or file)",
    ),
    "REPORT_PIPELINE_JWT_SECRET": Variable(
        "api",
        default="",
        allowed="text",
        meaning="HS256 secret, 32+ characters, 8+ different ones (checked at start; secret: environment only)",
    ),
    "REPORT_PIPELINE_PUBLIC_URL": Variable(
        "api",
        default="`http://127.0.0.1:8000`",
        allowed="http(s) URL",
        meaning="where recipients reach `report-pipeline api` (unsubscribe links); set it, https, with real mail",
    ),
    "REPORT_PIPELINE_UI_URL": Variable(
        "api",
        default="`http://127.0.0.1:3000`",
        allowed="text",
        meaning="Dagster UI base URL for links in alerts",
    ),
    "REPORT_PIPELINE_METRICS_PORT": Variable(
        "monitoring",
        default="none",
        allowed="port 1..65535",
        meaning="also serve `/metrics` without a token on this port",
    ),
    "REPORT_PIPELINE_METRICS_TOKEN": Variable(
        "monitoring",
        default="none: refused",
        allowed="text",
        meaning="bearer token for `GET /metrics` on the API port (a secret)",
    ),
    "REPORT_PIPELINE_CELERY_BACKEND": Variable(
        "executor",
        default="",
        allowed="text",
        meaning="Redis URL of the Celery broker (and result backend; default the broker); secret when it carries a password",
    ),
    "REPORT_PIPELINE_CELERY_BROKER": Variable(
        "executor",
        default="",
        allowed="text",
        meaning="Redis URL of the Celery broker (and result backend; default the broker); secret when it carries a password",
    ),
    "REPORT_PIPELINE_EXECUTOR": Variable(
        "executor",
        default="`multiprocess`",
        allowed="`multiprocess`, `celery`, `k8s`",
        meaning="where the weekly run's steps execute: `multiprocess`, `celery` or `k8s`",
    ),
    "REPORT_PIPELINE_STEP_CONCURRENCY": Variable(
        "executor",
        default="`0`",
        allowed="whole number ≥ 0",
        meaning="step processes (multiprocess) or step pods (k8s) per run, i.e. parallel tesseracts; `0` = one per CPU",
    ),
    "REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS": Variable(
        "executor",
        default="`2`",
        allowed="number 0..600",
        meaning="seconds before a step failed by a transient fault (object store, catalog, database) is retried; each of the three retries waits twice as long as the one before",
    ),
    "AWS_DEFAULT_REGION": Variable(
        "aws",
        default="",
        allowed="text",
        meaning="region for S3, SES and Textract when `AWS_REGION` is unset",
    ),
    "AWS_REGION": Variable(
        "aws",
        default="",
        allowed="text",
        meaning="S3 (SSE AES256, or KMS when a key id is set); credentials from the usual AWS variables or role",
    ),
}
