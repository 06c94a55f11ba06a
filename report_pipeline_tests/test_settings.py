"""Settings: one parser per kind of value, and an error that names the variable."""

from __future__ import annotations

from datetime import date

import pytest

from report_pipeline.settings import DEFAULT_FIRST_WEEK, SettingsError, load_settings, parse_flag


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings.object_store == "local" and settings.mailer == "outbox"
    assert settings.batch_size == 16 and settings.max_failed_share == 0.10
    assert settings.database_url.startswith("sqlite:///") and not settings.database_is_external


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_every_flag_is_parsed_the_same_way(text: str, expected: bool) -> None:
    assert parse_flag(text) is expected
    assert load_settings({"REPORT_PIPELINE_MAIL_EMPTY_WEEKS": text}).mail_empty_weeks is expected
    assert (
        load_settings({"REPORT_PIPELINE_DELIVERY_WAIT_FOR_RETRIES": text}).delivery.wait_for_retries
        is expected
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("REPORT_PIPELINE_SMTP_PORT", "x", "expected a whole number"),
        ("REPORT_PIPELINE_BATCH_SIZE", "0", "must be at least 1"),
        ("REPORT_PIPELINE_MAIL_EMPTY_WEEKS", "maybe", "expected one of"),
        ("REPORT_PIPELINE_MAX_FAILED_SHARE", "1.5", "fraction from 0 to 1"),
        ("REPORT_PIPELINE_FIRST_WEEK", "next monday", "YYYY-MM-DD"),
        ("REPORT_PIPELINE_MAILER", "pigeon", "use outbox, smtp or ses"),
        ("REPORT_PIPELINE_DEADLINE_HOURS", "soon", "expected a number"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    text = str(caught.value)
    assert text.startswith(f"{name}={value!r}") and message in text and "\n" not in text


def test_secrets_stay_out_of_repr() -> None:
    settings = load_settings(
        {
            "REPORT_PIPELINE_DATABASE_URL": "postgresql://app:hunter2@db/app",
            "REPORT_PIPELINE_MONGO_URI": "mongodb://u:hunter2@m/",
            "REPORT_PIPELINE_SMTP_PASSWORD": "hunter2",
            "REPORT_PIPELINE_JWT_SECRET": "hunter2" * 6,
            "REPORT_PIPELINE_UNSUBSCRIBE_SECRET": "hunter2" * 6,
        }
    )
    assert "hunter2" not in repr(settings)
    assert settings.database_is_external and settings.smtp.password == "hunter2"


def test_empty_values_mean_unset() -> None:
    settings = load_settings({"REPORT_PIPELINE_FIRST_WEEK": "", "REPORT_PIPELINE_SMTP_PORT": ""})
    assert (
        settings.first_week == date.fromisoformat(DEFAULT_FIRST_WEEK) and settings.smtp.port == 25
    )


def test_ocr_languages_and_textract_settings() -> None:
    defaults = load_settings({})
    assert defaults.ocr_languages == "eng" and defaults.textract.max_attempts == 5
    settings = load_settings(
        {
            "REPORT_PIPELINE_OCR_ENGINE": "textract",
            "REPORT_PIPELINE_OCR_LANGUAGES": "eng+deu",
            "AWS_REGION": "eu-central-1",
            "REPORT_PIPELINE_TEXTRACT_ENDPOINT_URL": "http://x:5000",
            "REPORT_PIPELINE_TEXTRACT_MAX_ATTEMPTS": "3",
        }
    )
    assert (settings.ocr_engine, settings.ocr_languages) == ("textract", "eng+deu")
    assert settings.textract.region == "eu-central-1"  # AWS_REGION when no Textract region
    assert settings.textract.endpoint_url == "http://x:5000"
    assert settings.textract.max_attempts == 3
    override = load_settings(
        {"AWS_REGION": "eu-central-1", "REPORT_PIPELINE_TEXTRACT_REGION": "eu-west-1"}
    )
    assert override.textract.region == "eu-west-1"


# issue 15: review threshold, public URL (unsubscribe links), sender name
def test_defaults_give_one_click_unsubscribe_to_the_local_api(tmp_path) -> None:
    settings = load_settings({"REPORT_PIPELINE_HOME": str(tmp_path)})
    assert settings.review_confidence == 60.0
    assert settings.public_url == "http://127.0.0.1:8000" and not settings.public_url_is_set
    assert settings.delivery.unsubscribe_url == "http://127.0.0.1:8000/unsubscribe"
    assert settings.delivery.unsubscribe_secret_file == tmp_path / "unsubscribe.secret"
    assert settings.mail_from_name == "Weekly document report"


def test_the_public_url_builds_the_unsubscribe_link(tmp_path) -> None:
    settings = load_settings(
        {
            "REPORT_PIPELINE_HOME": str(tmp_path),
            "REPORT_PIPELINE_PUBLIC_URL": "https://reports.example.com/",
            "REPORT_PIPELINE_MAIL_FROM_NAME": "  Trial   Ops  ",
        }
    )
    assert settings.public_url_is_set
    assert settings.delivery.unsubscribe_url == "https://reports.example.com/unsubscribe"
    assert settings.mail_from_name == "Trial Ops"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REPORT_PIPELINE_REVIEW_CONFIDENCE", "120"),
        ("REPORT_PIPELINE_REVIEW_CONFIDENCE", "high"),
        ("REPORT_PIPELINE_PUBLIC_URL", "reports.example.com"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"REPORT_PIPELINE_HOME": str(tmp_path), name: value})
