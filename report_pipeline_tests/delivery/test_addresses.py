import pytest

from report_pipeline.delivery.addresses import InvalidEmail, normalize_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ann@example.com", "ann@example.com"),
        ("Ann.Smith@Example.COM", "ann.smith@example.com"),
        ("ANN+reports@SUB.Example.org", "ann+reports@sub.example.org"),
        ("  ann@example.com\n", "ann@example.com"),
        ("o'brien@example.co.uk", "o'brien@example.co.uk"),
        ("ann@EXÄMPLE.de", "ann@exämple.de"),
    ],
)
def test_valid_addresses_are_normalized_and_lowercased(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


def test_differently_cased_spellings_give_the_same_address() -> None:
    assert normalize_email("Ann@Example.com") == normalize_email("aNN@EXAMPLE.COM")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ann",
        "ann.example.com",
        "@example.com",
        "ann@",
        "ann@@example.com",
        "ann smith@example.com",
        "ann@exa mple.com",
        "ann@example",
        "ann@localhost",
        "ann@-example.com",
        "ann@example..com",
        "ann..smith@example.com",
        ".ann@example.com",
        "ann@example.com.",
        "ann@[192.0.2.1]",
        "ann@192.0.2.1",
        '"ann smith"@example.com',
        "Ann <ann@example.com>",
        "ann@example.com, bob@example.com",
        "ann@exa_mple.com",
        "ann\n@example.com",
        "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 20 + ".com",
        "ann@" + "a" * 64 + ".com",
    ],
)
def test_invalid_addresses_raise_invalid_email(raw: str) -> None:
    with pytest.raises(InvalidEmail) as excinfo:
        normalize_email(raw)
    message = str(excinfo.value)
    assert message.startswith("invalid email address")
    assert "\n" not in message


@pytest.mark.parametrize("raw", [None, 42, b"ann@example.com"])
def test_non_text_input_raises_invalid_email(raw: object) -> None:
    with pytest.raises(InvalidEmail, match="expected text"):
        normalize_email(raw)  # type: ignore[arg-type]


def test_invalid_email_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_email("not an address")


def test_error_message_names_the_input_and_the_reason() -> None:
    with pytest.raises(InvalidEmail) as excinfo:
        normalize_email("ann@example")
    assert "'ann@example'" in str(excinfo.value)
    assert "period" in str(excinfo.value)


def test_error_message_stays_short_for_huge_input() -> None:
    with pytest.raises(InvalidEmail) as excinfo:
        normalize_email("x" * 10_000)
    assert len(str(excinfo.value)) < 400
