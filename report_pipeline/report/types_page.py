"""The report's first content page: the week by document type, per trial, Read today, Gone quiet.

Only type labels (the taxonomy's), counts and ids are printed: never the
classifier's cues or anything read from a document.
"""

from __future__ import annotations

from report_pipeline.report import pdf as layout
from report_pipeline.report.aggregate import NO_TRIAL, ReportData
from report_pipeline.report.document_types import QUIET_SHARE, QUIET_WEEKS

COVER_IDS = 10  # adverse-event reports named on the cover; the page lists them all


def attention_items(data: ReportData) -> list[str]:
    """The "What needs attention" lines that come first: Read today, then Gone quiet."""
    items = []
    ids = [
        _where(doc, customer, trial, data.customer is None)
        for doc, customer, trial in data.read_today.iter_rows()
    ]
    if ids:
        shown = ", ".join(ids[:COVER_IDS])
        more = f" and {len(ids) - COVER_IDS:,} more" if len(ids) > COVER_IDS else ""
        items.append(
            f"Read today: {len(ids):,} adverse-event report(s): {shown}{more}. "
            f"Open one with: {layout.SHOW_COMMAND}"
        )
    for quiet in data.gone_quiet:
        items.append(
            f"Gone quiet: {quiet.words()}; its median over the last {quiet.weeks} "
            f"published week(s) is {quiet.median:g}."
        )
    return items + late_arrival_items(data.summary.get("late_arrivals") or {})


def late_arrival_items(late: dict[str, int]) -> list[str]:
    """One line per closed week that received documents after its report was published."""
    return [
        f"Arrived late for the week of {week}: {count:,} document(s) created in that week "
        f"came after its report was published; they are counted in this report, and the "
        f"report of {week} stays the one that was mailed."
        for week, count in sorted(late.items())
    ]


def types_page(pdf: layout.ReportPDF, data: ReportData) -> None:
    """A page of its own, right after the cover."""
    pdf.add_page()
    layout._heading(pdf, "This week by document type")
    layout._para(
        pdf,
        "Each processed document is given a type by the classifier (weighted phrases "
        "of the taxonomy found in its text); a document that failed has no text and "
        "is not classified.",
        9,
    )
    pdf.ln(2)
    _type_table(pdf, data)
    _trials(pdf, data)
    _read_today(pdf, data)
    _gone_quiet(pdf, data)


def _type_table(pdf: layout.ReportPDF, data: ReportData) -> None:
    before = data.previous_types
    rows = []
    for label, documents in data.per_type.select("type_label", "documents").iter_rows():
        last = None if before is None else before.get(label, 0)
        rows.append(_type_row(label, documents, last))
    if before:  # a type seen last week and not this week still says so
        for label in sorted(set(before) - set(data.per_type.get_column("type_label"))):
            rows.append(_type_row(label, 0, before[label]))
    layout._table(
        pdf,
        ("Document type", "This week", "Last week", "Change"),
        rows or [("-", "0", "-", "-")],
        (80, 30, 30, 40),
        ("L", "R", "R", "R"),
    )
    if before is None:
        layout._para(pdf, "Last week's report has no counts by type to compare with.", 9)
        pdf.ln(3)


def _type_row(label: str, documents: int, last: int | None) -> tuple[str, str, str, str]:
    return (
        layout.clean(label),
        layout.fmt_int(documents),
        layout.fmt_int(last),
        _change(documents, last),
    )


def _change(now: int, before: int | None) -> str:
    if before is None:
        return "-"
    diff = now - before
    if diff == 0:
        return "same"
    return f"{layout.UP if diff > 0 else layout.DOWN} {abs(diff):,}"


def _trials(pdf: layout.ReportPDF, data: ReportData) -> None:
    layout._heading(pdf, "Document types by trial", 12)
    layout._para(
        pdf,
        "The catalog has no site field: a trial and the customer that sent its "
        "documents stand in for the site.",
        9,
    )
    pdf.ln(1)
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for customer, trial, label, n in data.trial_types.iter_rows():
        groups.setdefault((customer, trial or NO_TRIAL), []).append((label, n))
    rows = [
        (
            layout.clean(trial),
            layout.clean(customer),
            layout.fmt_int(sum(n for _, n in types)),
            ", ".join(f"{layout.clean(label)} ({n:,})" for label, n in types),
        )
        for (customer, trial), types in groups.items()
    ]
    header, widths = ("Trial", "Customer", "Documents", "Types (documents)"), (30, 34, 22, 94)
    if data.customer is not None:  # every row is the customer's own
        rows = [(row[0], *row[2:]) for row in rows]
        header, widths = (header[0], *header[2:]), (40, 24, 116)
    align = ("L",) * (len(header) - 2) + ("R", "L")
    layout._table(pdf, header, rows or [("-",) * len(header)], widths, align, size=8.5)


def _read_today(pdf: layout.ReportPDF, data: ReportData) -> None:
    layout._heading(pdf, "Read today: adverse-event reports", 12)
    if data.read_today.is_empty():
        layout._para(pdf, "No document was classified as an adverse-event report this week.")
        pdf.ln(3)
        return
    layout._para(pdf, f"By id; open one with: {layout.SHOW_COMMAND}", 9)
    pdf.ln(1)
    rows = [
        tuple(layout.clean(v if v is not None else NO_TRIAL) for v in row)
        for row in data.read_today.iter_rows()
    ]
    header, widths = ("Document id", "Customer", "Trial"), (80, 50, 50)
    if data.customer is not None:
        rows = [(doc, trial) for doc, _, trial in rows]
        header, widths = ("Document id", "Trial"), (100, 80)
    layout._table(pdf, header, rows, widths, ("L",) * len(header), size=8.5)


def _gone_quiet(pdf: layout.ReportPDF, data: ReportData) -> None:
    layout._heading(pdf, "Gone quiet", 12)
    layout._para(
        pdf,
        f"A trial whose documents this week fell below {QUIET_SHARE:.0%} of its median "
        f"over the last {QUIET_WEEKS} published weeks, or that sent nothing. Weeks whose "
        "report predates the counts per trial are not compared.",
        9,
    )
    pdf.ln(1)
    if not data.gone_quiet:
        layout._para(pdf, "No trial went quiet this week.")
        return
    rows = [
        (layout.clean(q.trial_id), layout.fmt_int(q.documents), f"{q.median:g}", str(q.weeks))
        for q in data.gone_quiet
    ]
    layout._table(
        pdf,
        ("Trial", "This week", "Median", "Weeks compared"),
        rows,
        (70, 35, 35, 40),
        ("L", "R", "R", "R"),
    )


def _where(doc: str, customer: str, trial: str | None, with_customer: bool) -> str:
    place = [customer] if with_customer else []
    if trial:
        place.append(f"trial {trial}")
    where = f" {layout.clean('(' + ', '.join(place) + ')')}" if place else ""
    return layout.clean(doc) + where
