"""POST /api/reports and the worker callbacks: one active report per week, valid states."""

from __future__ import annotations

from datetime import timedelta

from report_pipeline.appdb.store import ReportResult
from report_pipeline_tests.api.conftest import WEEK, auth, past_week

REPORTS = "/api/reports"


def test_request_records_a_report_and_launches_one_run(client, launcher) -> None:
    response = client.post(REPORTS, json={"week": "2024-03-06"}, headers=auth("operator"))
    assert response.status_code == 201
    body = response.json()
    assert body["week"] == WEEK.isoformat() and body["state"] == "requested"
    assert body["dagster_run_id"]
    assert launcher.calls == [("week", WEEK, False)]
    again = client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("operator"))
    assert again.status_code == 409
    assert again.json()["report"]["id"] == body["id"]
    assert len(launcher.calls) == 1
    # force never starts a second run while one is in progress
    forced = client.post(
        REPORTS, json={"week": WEEK.isoformat(), "force": True}, headers=auth("admin")
    )
    assert forced.status_code == 409 and len(launcher.calls) == 1


def test_a_succeeded_week_needs_force(client, launcher) -> None:
    store = client.app.state.context.store
    done = store.record_report(
        ReportResult(
            WEEK, "succeeded", pdf_key="reports/a.pdf", documents_total=4, documents_failed=1
        )
    )
    conflict = client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("operator"))
    assert conflict.status_code == 409
    assert (
        conflict.json()["report"]
        == client.get(f"{REPORTS}/{done.id}", headers=auth("analyst")).json()
    )
    forced = client.post(
        REPORTS, json={"week": WEEK.isoformat(), "force": True}, headers=auth("operator")
    )
    assert forced.status_code == 201 and forced.json()["id"] != done.id
    assert launcher.calls == [("week", WEEK, True)]
    # the pipeline's own write lands on the new row (the week's latest)
    store.record_report(ReportResult(WEEK, "succeeded", documents_total=5))
    assert (
        client.get(f"{REPORTS}/{forced.json()['id']}", headers=auth("admin")).json()["state"]
        == "succeeded"
    )


def test_bad_weeks_are_422(client, launcher) -> None:
    for week in ("2024-13-01", "last week", "2019-12-30", (past_week(-2)).isoformat()):
        response = client.post(REPORTS, json={"week": week}, headers=auth("operator"))
        assert response.status_code == 422, week
        assert response.json()["error"] == "invalid_week"
    assert client.get(REPORTS, params={"week": "soon"}, headers=auth("admin")).status_code == 422
    assert launcher.calls == []


def test_a_failed_launch_frees_the_week(client, launcher) -> None:
    launcher.fail = True
    failed = client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("operator"))
    assert failed.status_code == 503 and failed.json()["error"] == "launch_failed"
    assert "Traceback" not in failed.text
    listed = client.get(REPORTS, params={"week": WEEK.isoformat()}, headers=auth("admin"))
    assert [r["state"] for r in listed.json()["items"]] == ["failed"]
    launcher.fail = False
    assert (
        client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("operator")).status_code
        == 201
    )


def test_state_transitions_are_validated(client) -> None:
    report = client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("admin")).json()
    url = f"{REPORTS}/{report['id']}"
    service = auth("service")
    assert (
        client.patch(f"{url}/state", json={"state": "running"}, headers=service).json()["state"]
        == "running"
    )
    assert client.patch(f"{url}/state", json={"state": "bogus"}, headers=service).status_code == 422
    result = client.patch(
        f"{url}/result",
        headers=service,
        json={
            "state": "succeeded",
            "documents_total": 7,
            "report_uri": f"s3://bucket/reports/{WEEK.isoformat()}/{'a' * 64}/weekly-report.pdf",
            "documents_failed": 2,
            "pdf_sha256": "a" * 64,
        },
    )
    assert result.status_code == 200
    assert (result.json()["state"], result.json()["documents_total"]) == ("succeeded", 7)
    back = client.patch(f"{url}/state", json={"state": "running"}, headers=service)
    assert back.status_code == 409 and back.json()["error"] == "invalid_transition"
    assert client.get(url, headers=service).json()["state"] == "succeeded"


def test_moving_a_second_report_of_a_week_to_running_is_a_conflict(client) -> None:
    store = client.app.state.context.store
    store.record_report(ReportResult(WEEK, "failed"))
    old = store.latest_report(WEEK)
    active = client.post(REPORTS, json={"week": WEEK.isoformat()}, headers=auth("admin")).json()
    response = client.patch(
        f"{REPORTS}/{old.id}/state", json={"state": "running"}, headers=auth("service")
    )
    assert response.status_code == 409 and response.json()["report"]["id"] == active["id"]


def test_list_filters_by_state_and_week_newest_first(client) -> None:
    store = client.app.state.context.store
    weeks = [WEEK + timedelta(weeks=n) for n in range(4)]
    for week in weeks:
        store.record_report(ReportResult(week, "succeeded" if week != weeks[2] else "failed"))
    items = client.get(REPORTS, params={"state": "succeeded"}, headers=auth("analyst")).json()[
        "items"
    ]
    assert [r["week"] for r in items] == [w.isoformat() for w in (weeks[3], weeks[1], weeks[0])]
    one = client.get(
        REPORTS,
        params={"week": (weeks[2] + timedelta(days=3)).isoformat()},
        headers=auth("analyst"),
    ).json()["items"]
    assert [(r["week"], r["state"]) for r in one] == [(weeks[2].isoformat(), "failed")]
    assert client.get(f"{REPORTS}/999999", headers=auth("analyst")).status_code == 404
