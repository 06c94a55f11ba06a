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


# --- REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS (issue 19) --------------------------------------


def test_special_use_domains_are_refused_by_default() -> None:
    with pytest.raises(InvalidEmail, match="special-use"):
        normalize_email("user@mail.test")


@pytest.mark.parametrize(
    ("raw", "allowed", "expected"),
    [
        ("user@mail.test", ("test",), "user@mail.test"),
        ("User@Relay.Internal", ("internal",), "user@relay.internal"),
        ("ann@printer.local", (".local",), "ann@printer.local"),
        ("ops@internal", ("internal",), "ops@internal"),
        ("ann@a.b.corp.internal", ("corp.internal",), "ann@a.b.corp.internal"),
    ],
)
def test_listed_special_use_domains_are_accepted(
    raw: str, allowed: tuple[str, ...], expected: str
) -> None:
    assert normalize_email(raw, allowed) == expected


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [
        ("user@mail.test", ("internal",)),  # another domain is listed
        ("ann@xprinter.local", ("printer.local",)),  # a suffix is whole labels
        ("ann smith@mail.test", ("test",)),  # the rest of the address is still checked
        ("ann@exa_mple.test", ("test",)),
        ("ann@.test", ("test",)),
    ],
)
def test_the_allow_list_relaxes_nothing_else(raw: str, allowed: tuple[str, ...]) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(raw, allowed)


def test_the_allow_list_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from report_pipeline.settings import SettingsError, load_settings

    monkeypatch.setenv("REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS", " .Internal, test ")
    assert load_settings().delivery.allow_special_use_domains == ("internal", "test")
    allowed = load_settings().delivery.allow_special_use_domains
    assert normalize_email("ann@relay.internal", allowed) == "ann@relay.internal"
    assert normalize_email("ann@mail.test", allowed) == "ann@mail.test"
    with pytest.raises(InvalidEmail):
        normalize_email("ann@printer.local", allowed)
    monkeypatch.setenv("REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS", "a@b")
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS"):
        load_settings()


def test_subscribers_add_takes_an_allowed_internal_domain(
    settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from report_pipeline.cli.subscribers import subscribers

    refused = CliRunner().invoke(subscribers, ["add", "user@mail.test"])
    assert refused.exit_code == 1 and "special-use" in refused.output
    monkeypatch.setenv("REPORT_PIPELINE_ALLOW_SPECIAL_USE_DOMAINS", "test")
    added = CliRunner().invoke(subscribers, ["add", "user@mail.test"])
    assert added.exit_code == 0, added.output
