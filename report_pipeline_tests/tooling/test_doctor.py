"""`report-pipeline doctor` through the command line: one line per problem, exit 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import mongomock
import pytest

from report_pipeline.classify import load_taxonomy, train_model
from report_pipeline.health import scrub
from report_pipeline.pipeline.keys import type_model_key
from report_pipeline.pipeline.type_model import save_model
from report_pipeline.settings import load_settings
from report_pipeline.storage.catalog import MongoCatalog, check_mongo_collection
from report_pipeline.storage.object_store import LocalObjectStore
from report_pipeline_tests.production.conftest import AWS_TEST_ENV

PASSWORD = "hunter2-not-shown"

VARIED_SECRET = "a-varied-test-secret-0123456789-ABCDEFGH"  # passes the strength rule


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def doctor(tmp_path: Path):
    """Runs the doctor with the embedded defaults plus the given variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_PIPELINE_")}
    base.update(
        {
            "REPORT_PIPELINE_HOME": str(tmp_path / "home"),
            "DAGSTER_HOME": str(tmp_path / "home" / "dagster"),
        }
    )

    def run(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "report_pipeline.cli", "doctor"],
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def _problems(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("problem")]


def test_the_embedded_default_is_healthy(doctor) -> None:
    result = doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    services = [line.split(":")[0].split(None, 1)[1] for line in result.stdout.splitlines()]
    assert services == [
        "object store (local)",
        "catalog (embedded)",
        "app database (sqlite)",
        "mailer (outbox)",
        "tesseract",
        "unsubscribe links",
        "type model",
    ]
    assert "type model: none trained: types come from the taxonomy's rules" in result.stdout


def test_real_mail_needs_a_public_url_and_an_unsubscribe_secret(doctor, tmp_path) -> None:
    # smtp to a closed port also fails; only the unsubscribe line is looked at here.
    result = doctor(REPORT_PIPELINE_MAILER="smtp", REPORT_PIPELINE_SMTP_PORT=str(_closed_port()))
    [line] = [p for p in _problems(result) if p.startswith("problem unsubscribe links")]
    assert "REPORT_PIPELINE_PUBLIC_URL" in line and "REPORT_PIPELINE_UNSUBSCRIBE_SECRET" in line

    configured = doctor(
        REPORT_PIPELINE_MAILER="smtp",
        REPORT_PIPELINE_SMTP_PORT=str(_closed_port()),
        REPORT_PIPELINE_PUBLIC_URL="https://reports.example.com",
        REPORT_PIPELINE_UNSUBSCRIBE_SECRET=VARIED_SECRET,
    )
    assert not [p for p in _problems(configured) if "unsubscribe" in p]
    assert "ok      unsubscribe links: https://reports.example.com/unsubscribe" in configured.stdout


def test_an_unreachable_database_is_one_line_without_its_password(doctor) -> None:
    url = f"postgresql+psycopg2://report:{PASSWORD}@127.0.0.1:{_closed_port()}/reports"
    result = doctor(REPORT_PIPELINE_DATABASE_URL=url)
    assert result.returncode == 1
    [line] = _problems(result)
    assert line.startswith("problem app database (postgresql): unreachable")
    assert "fix: check REPORT_PIPELINE_DATABASE_URL" in line
    assert PASSWORD not in result.stdout + result.stderr


def test_a_database_behind_on_migrations_says_to_upgrade(doctor, postgres_url) -> None:
    result = doctor(REPORT_PIPELINE_DATABASE_URL=postgres_url)
    [line] = _problems(result)
    assert "schema at nothing" in line and "report-pipeline db upgrade" in line


def test_a_wrong_bucket_is_named(doctor, s3_endpoint) -> None:
    from report_pipeline_tests.services import create_bucket

    create_bucket(s3_endpoint, "doctor-real-bucket")
    s3 = {
        **AWS_TEST_ENV,
        "REPORT_PIPELINE_OBJECT_STORE": "s3",
        "REPORT_PIPELINE_S3_ENDPOINT_URL": s3_endpoint,
    }

    wrong = doctor(**s3, REPORT_PIPELINE_S3_BUCKET="doctor-missing-bucket")
    assert wrong.returncode == 1
    [line] = _problems(wrong)
    assert "bucket 'doctor-missing-bucket' does not exist" in line
    assert "REPORT_PIPELINE_S3_BUCKET" in line
    # The type model is not checked without a store, and is not a second problem.
    assert "warning type model: not checked, the object store failed" in wrong.stdout

    right = doctor(**s3, REPORT_PIPELINE_S3_BUCKET="doctor-real-bucket")
    assert right.returncode == 0, right.stdout
    assert "bucket 'doctor-real-bucket' exists and takes encrypted writes" in right.stdout


def test_missing_tesseract_is_reported_with_the_apt_package(doctor, tmp_path) -> None:
    # The CLI engine needs the binary; the loaded library (auto) reads its data directly.
    result = doctor(PATH=str(tmp_path / "empty-bin"), REPORT_PIPELINE_OCR_ENGINE="cli")
    assert result.returncode == 1
    [line] = _problems(result)
    assert line.startswith("problem tesseract: tesseract is not on PATH")
    assert "apt-get install tesseract-ocr" in line


def test_a_missing_ocr_language_is_reported_with_its_package(doctor) -> None:
    result = doctor(REPORT_PIPELINE_OCR_LANGUAGES="eng+kor")
    assert result.returncode == 1
    [line] = [p for p in _problems(result) if p.startswith("problem tesseract")]
    assert "tesseract data missing: kor" in line and "tesseract-ocr-kor" in line


def test_textract_checks_itself_not_tesseract(doctor, tmp_path) -> None:
    result = doctor(
        PATH=str(tmp_path / "empty-bin"),
        REPORT_PIPELINE_OCR_ENGINE="textract",
        REPORT_PIPELINE_OCR_LANGUAGES="eng+kor",
        REPORT_PIPELINE_TEXTRACT_REGION="eu-west-1",
    )
    assert not [line for line in result.stdout.splitlines() if " tesseract:" in line]
    [line] = [p for p in _problems(result) if p.startswith("problem textract")]
    assert "Textract does not read kor" in line


@pytest.mark.parametrize(
    "uri, expected",
    [
        ("not-a-mongo-uri", "bad MongoDB URI"),
        (
            f"mongodb://reader:{PASSWORD}@127.0.0.1:{_closed_port()}/?directConnection=true",
            "MongoDB unreachable",
        ),
    ],
    ids=["malformed", "unreachable"],
)
def test_a_bad_mongo_uri_is_reported_without_its_password(doctor, uri, expected) -> None:
    result = doctor(
        REPORT_PIPELINE_CATALOG="mongodb",
        REPORT_PIPELINE_MONGO_URI=uri,
        REPORT_PIPELINE_MONGO_TIMEOUT_MS="300",
    )
    assert result.returncode == 1
    [line] = _problems(result)
    assert line.startswith("problem catalog (mongodb):") and expected in line
    assert "REPORT_PIPELINE_MONGO" in line
    assert PASSWORD not in result.stdout + result.stderr


def test_the_created_at_index_is_checked(settings) -> None:
    collection = mongomock.MongoClient(tz_aware=True)["documents"]["documents"]
    missing = check_mongo_collection(collection, settings)
    assert not missing.ok and "createIndex({created_at: 1})" in missing.fix
    MongoCatalog(collection).ensure_indexes()
    assert check_mongo_collection(collection, settings).ok


def test_secrets_are_scrubbed_from_error_text(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_SMTP_PASSWORD", PASSWORD)
    text = scrub(
        f"login {PASSWORD} failed for redis://:{PASSWORD}x@h and\npostgresql://u:pw@db/x",
        load_settings(),
    )
    assert PASSWORD not in text and "pw@" not in text
    assert "$REPORT_PIPELINE_SMTP_PASSWORD" in text and "postgresql://u:***@db/x" in text


def test_celery_without_a_broker_or_workers_is_reported(doctor, redis_url) -> None:
    unreachable = doctor(
        REPORT_PIPELINE_EXECUTOR="celery",
        REPORT_PIPELINE_CELERY_BROKER=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    [line] = _problems(unreachable)
    assert line.startswith("problem executor (celery): broker unreachable")

    idle = doctor(REPORT_PIPELINE_EXECUTOR="celery", REPORT_PIPELINE_CELERY_BROKER=redis_url)
    [line] = _problems(idle)
    assert "no Celery worker answers" in line


def test_the_shared_send_rate_in_redis_is_checked(doctor, redis_url) -> None:
    unreachable = doctor(
        REPORT_PIPELINE_REDIS_URL=f"redis://:s3cret-pw@127.0.0.1:{_closed_port()}/0"
    )
    assert unreachable.returncode != 0
    [line] = _problems(unreachable)
    assert line.startswith("problem send rate (redis): unreachable, so no email can be sent")
    assert "s3cret-pw" not in unreachable.stdout + unreachable.stderr

    reachable = doctor(REPORT_PIPELINE_REDIS_URL=redis_url)
    assert reachable.returncode == 0, reachable.stdout
    assert "ok      send rate (redis): answers" in reachable.stdout


def test_ses_quota_is_checked(doctor, s3_endpoint) -> None:
    result = doctor(
        **AWS_TEST_ENV,
        REPORT_PIPELINE_MAILER="ses",
        REPORT_PIPELINE_SES_ENDPOINT_URL=s3_endpoint,
        # real mail needs both (the unsubscribe check), as production sets them
        REPORT_PIPELINE_PUBLIC_URL="https://reports.example.com",
        REPORT_PIPELINE_UNSUBSCRIBE_SECRET=VARIED_SECRET,
    )
    assert result.returncode == 0, result.stdout
    assert "ok      mailer (ses): SES reachable" in result.stdout


def _trained(tmp_path: Path) -> LocalObjectStore:
    """A model trained on two labeled examples, made current in the doctor's object store."""
    taxonomy = load_taxonomy()
    examples = [("Study newsletter for site staff", "fax_correspondence")] * 2
    store = LocalObjectStore(tmp_path / "home" / "objects")
    save_model(store, train_model(examples, taxonomy, "v-doctor"))
    return store


def test_the_active_type_model_is_named_and_an_unreadable_one_fails(doctor, tmp_path) -> None:
    store = _trained(tmp_path)
    healthy = doctor()
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    [line] = [line for line in healthy.stdout.splitlines() if "type model" in line]
    assert "v-doctor active (2 labeled documents, trained 20" in line

    store.put(type_model_key("v-doctor"), b"truncated")
    broken = doctor()
    assert broken.returncode == 1
    [line] = _problems(broken)
    assert "type model: unreadable: model v-doctor at classifier/models/v-doctor.npz" in line
    assert "documents train --force" in line

    store.local_path(type_model_key("v-doctor")).unlink()
    [line] = _problems(doctor())
    assert "model v-doctor is missing: classifier/models/v-doctor.npz" in line
