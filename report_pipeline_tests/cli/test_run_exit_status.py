"""`run`'s exit status from the finished week's summary: what a scheduler alarms on."""

from __future__ import annotations

from report_pipeline.cli.run import (
    EXIT_DOCUMENTS_FAILED,
    EXIT_FAILED,
    EXIT_HELD,
    week_problem,
)

HELD = (
    "report held: 2 of 10 documents failed (20.0%), over the 10% limit"
    " (REPORT_PIPELINE_MAX_FAILED_SHARE); release it with"
    " `report-pipeline reports release --week 2026-11-16`"
)


def _summary(**changes) -> dict:
    summary = {
        "week": "2026-11-16",
        "documents_total": 10,
        "documents_failed": 0,
        "emails_sent": 2,
        "emails_failed": 0,
        "emails_held": None,
        "scopes": [
            {"customer": "all", "documents_total": 10, "emails_held": None},
            {"customer": "acme", "documents_total": 10, "emails_held": None},
        ],
    }
    return {**summary, **changes}


def test_a_good_week_and_an_empty_week_are_done() -> None:
    assert week_problem(_summary()) is None
    empty = "week 2026-11-16 has no documents (noop); set REPORT_PIPELINE_MAIL_EMPTY_WEEKS=1"
    quiet = _summary(
        documents_total=0,
        emails_sent=0,
        emails_held=empty,
        scopes=[{"customer": "all", "documents_total": 0, "emails_held": empty}],
    )
    assert week_problem(quiet) is None  # not mailed by design, not a failure


def test_a_held_week_says_why_and_how_to_release_it() -> None:
    problem = week_problem(
        _summary(
            documents_failed=2,
            emails_held=HELD,
            scopes=[{"customer": "all", "documents_total": 10, "emails_held": HELD}],
        )
    )
    assert problem.exit_code == EXIT_HELD
    assert problem.format_message() == f"week 2026-11-16 emails held: {HELD}"


def test_a_held_customer_is_named_and_others_counted() -> None:
    scopes = [
        {"customer": "all", "documents_total": 10, "emails_held": None},
        {"customer": "acme", "documents_total": 2, "emails_held": "report held: acme"},
        {"customer": "globex", "documents_total": 3, "emails_held": "report held: globex"},
    ]
    problem = week_problem(_summary(documents_failed=2, scopes=scopes))
    assert problem.exit_code == EXIT_HELD
    assert problem.format_message() == (
        "week 2026-11-16 emails held for customers acme, globex: report held: acme"
    )
    scopes[0]["emails_held"] = HELD  # the whole week too: its reason first
    problem = week_problem(_summary(documents_failed=2, scopes=scopes))
    assert problem.format_message() == (
        f"week 2026-11-16 emails held (also for customers acme, globex): {HELD}"
    )


def test_failed_documents_of_a_mailed_week() -> None:
    problem = week_problem(_summary(documents_failed=1))
    assert problem.exit_code == EXIT_DOCUMENTS_FAILED
    assert "1 of 10 documents failed" in problem.format_message()
    assert "`report-pipeline dead-letters list --week 2026-11-16`" in problem.format_message()


def test_undelivered_emails_come_first() -> None:
    problem = week_problem(_summary(emails_failed=1, documents_failed=2, emails_held=HELD))
    assert problem.exit_code == EXIT_FAILED
    assert "1 emails not delivered yet" in problem.format_message()
    assert "deliveries replay --week 2026-11-16" in problem.format_message()
    assert "\n" not in problem.format_message()
