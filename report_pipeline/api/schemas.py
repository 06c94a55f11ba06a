"""Request and response bodies (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

MAX_INT = 2**31 - 1  # the database's INTEGER; larger ids cannot exist
_PRINTABLE = r"^[^\x00-\x1F\x7F]*$"


def _encodable(text: str) -> str:
    # Lone surrogates are valid JSON escapes but not storable text.
    text.encode("utf-8")
    return text


def Text(max_length: int, min_length: int = 0):
    """Printable text of bounded length (no control characters, no NUL)."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, pattern=_PRINTABLE),
        AfterValidator(_encodable),
    ]


Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
ReportState = Literal["requested", "running", "succeeded", "failed", "noop", "held"]
EmailPatchStatus = Literal["pending", "sent", "failed", "dead"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value):
        # SQLite hands timestamps back without a zone; they are all UTC.
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# --- subscribers -----------------------------------------------------------


class SubscribeIn(Strict):
    email: Text(320, 1)
    name: Text(200) | None = None
    customer: Text(64, 1) | None = Field(
        None, description="the scope: one customer id, or `all` (the default)"
    )


class SubscriberOut(Out):
    id: int
    email: str
    name: str | None
    active: bool
    subscribed_at: datetime
    unsubscribed_at: datetime | None
    customer: str = "all"


class SubscriberPage(BaseModel):
    items: list[SubscriberOut]
    next_cursor: str | None


# --- documents -------------------------------------------------------------


class DocumentOut(Out):
    document_id: str
    customer_id: str
    file_location: str
    content_type: str
    created_at: datetime
    size: int
    trial_id: str | None


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


class LabelIn(Strict):
    type: Text(64, 1) = Field(description="a document type of the deployment's taxonomy")


class LabelOut(BaseModel):
    document_id: str
    type: str | None  # None: not labeled
    label: str | None
    labeled_by: str | None = None
    labeled_at: datetime | None = None
    previous: str | None = None  # on a change: the type it had before


# --- reports ---------------------------------------------------------------


class ReportIn(Strict):
    week: Text(32, 1) = Field(description="any date of the week, YYYY-MM-DD")
    force: bool = False


class ReportVersionOut(Out):
    pdf_sha256: str
    pdf_key: str
    created_at: datetime
    latest: bool = Field(description="the version the report points at now")
    deliveries_sent: int = Field(description="messages that carried this version")
    download_url: str | None = None


class ReportOut(Out):
    id: int
    week: date
    state: str
    scope: str = Field("all", description="`all` or the customer id this report is for")
    documents_total: int | None
    documents_failed: int | None
    report_uri: str | None
    download_url: str | None = None
    dagster_run_id: str | None
    created_at: datetime
    updated_at: datetime
    hold_reason: str | None = Field(
        None, description="why the completeness gate held this report's emails"
    )
    held_at: datetime | None = None
    released_at: datetime | None = Field(None, description="when an operator released the hold")
    released_by: str | None = None
    emails_held: bool = Field(False, description="held and not released: no email is sent")
    pdf_sha256: str | None = Field(None, description="the latest version's sha256")
    late_arrivals: dict[str, int] = Field(
        default_factory=dict,
        description="documents created in an earlier, already published week (its Monday ->"
        " count) that arrived later and are counted in this report instead",
    )
    work_waiting: str | None = Field(
        None,
        description="emails of this report not sent yet (pending, leased, retrying), as one line"
        " with the command that finishes them; null when none wait",
    )
    versions: list[ReportVersionOut] | None = Field(
        None, description="every rendering of the report, oldest first (not in listings)"
    )


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None


class ReportConflictBody(BaseModel):
    error: str
    message: str
    request_id: str | None = None
    report: ReportOut | None = None


class StateIn(Strict):
    state: ReportState


class ResultIn(Strict):
    state: Literal["succeeded", "failed", "noop"] | None = None
    report_uri: Text(2000) | None = None
    pdf_key: Text(1000) | None = None
    pdf_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    documents_total: Count | None = None
    documents_failed: Count | None = None
    dagster_run_id: Text(64) | None = None


# --- emails ----------------------------------------------------------------


class EmailIn(Strict):
    report_id: Id
    email: Text(320, 1)
    name: Text(200) | None = None
    # Admin only, and audited: record an address that is not an active subscriber.
    override_subscription: bool = False


class EmailOut(Out):
    id: int
    report_id: int
    email: str
    recipient_name: str | None
    status: str
    attempts: int
    message_id: str | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    pdf_sha256: str | None = Field(None, description="the report version this message carried")
    suppressed: str | None = Field(
        None, description="why the address gets no more mail (permanent bounce, complaint)"
    )


class EmailPage(BaseModel):
    items: list[EmailOut]
    next_cursor: str | None


class EmailPatch(Strict):
    status: EmailPatchStatus
    message_id: Text(200) | None = None
    error: Text(2000) | None = None


class SendIn(Strict):
    force: bool = False


class SendOut(BaseModel):
    report_id: int
    week: date
    run_id: str
    force: bool


# --- audit -----------------------------------------------------------------


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str
    target: str | None
    outcome: str
    status_code: int
    request_id: str
    client_address: str | None


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None


class Health(BaseModel):
    status: str
