"""/api/ses/notifications: SES bounce and complaint events delivered by SNS.

No login: the SNS signature (certificate from an SNS host) is the credential,
and the topic must be one of REPORT_PIPELINE_SES_SNS_TOPIC_ARNS when that is set.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable

import anyio.to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel

from report_pipeline.api.deps import ApiContext, Audit, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.api.routers.common import error_responses
from report_pipeline.appdb.audit import AuditEvent
from report_pipeline.appdb.suppressions import ingest_events
from report_pipeline.delivery.bounces import (
    InvalidNotification,
    SnsVerifier,
    check_aws_url,
    message_of,
    parse_ses_event,
)

router = APIRouter(prefix="/api/ses", tags=["ses-events"])
MAX_BODY = 256 * 1024  # SNS messages are at most 256 KB


class SnsResult(BaseModel):
    type: str
    recorded: int = 0
    duplicates: int = 0
    suppressed: int = 0


def verifier_for(request: Request) -> SnsVerifier:
    verifier = getattr(request.app.state, "sns_verifier", None)
    if verifier is None:
        topics = request.app.state.context.settings.ses.sns_topic_arns
        verifier = SnsVerifier(topic_arns=list(topics))
        request.app.state.sns_verifier = verifier
    return verifier


def _confirm(url: str) -> None:
    check_aws_url(url)
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read(100_000)


def confirmer_for(request: Request) -> Callable[[str], None]:
    return getattr(request.app.state, "sns_confirm", None) or _confirm


# SNS work (certificate fetch, database writes) runs in threads of its own: a
# flood of posts waits here instead of taking the threads every other route uses.
SNS_THREADS = 4


def _limiter(request: Request) -> anyio.CapacityLimiter:
    limiter = getattr(request.app.state, "sns_threads", None)
    if limiter is None:  # made in the app's event loop, on first use
        limiter = request.app.state.sns_threads = anyio.CapacityLimiter(SNS_THREADS)
    return limiter


def _refused(error: Exception) -> ApiError:
    message = str(error) if isinstance(error, InvalidNotification) else "body is not JSON"
    return ApiError(403, f"not a verified SNS message: {message}", code="invalid_signature")


@router.post("/notifications", response_model=SnsResult, responses=error_responses(403, 413, 503))
async def sns_notification(request: Request, context: Context, audit: Audit) -> SnsResult:
    audit.role, audit.actor = "sns", "sns"
    verifier = verifier_for(request)
    if not verifier.topic_arns:
        raise ApiError(
            403,
            "the SNS endpoint is off: REPORT_PIPELINE_SES_SNS_TOPIC_ARNS is not set",
            code="not_configured",
        )
    body = await request.body()  # SNS posts JSON as text/plain
    if len(body) > MAX_BODY:
        raise ApiError(413, "SNS messages are at most 256 KB")
    try:  # topic, shape and URLs first: no fetch, no thread for anything else
        envelope = verifier.precheck(json.loads(body))
    except (ValueError, RecursionError, InvalidNotification) as error:
        raise _refused(error) from None
    return await anyio.to_thread.run_sync(
        _handle, request, context, audit, envelope, limiter=_limiter(request)
    )


def _handle(request: Request, context: ApiContext, audit: AuditEvent, envelope: dict) -> SnsResult:
    try:
        envelope = verifier_for(request).verify(envelope)
    except InvalidNotification as error:
        raise _refused(error) from None
    kind = envelope["Type"]
    audit.actor, audit.target = str(envelope.get("TopicArn", "sns"))[:320], f"sns:{kind}"
    if kind == "SubscriptionConfirmation":
        try:
            confirmer_for(request)(envelope["SubscribeURL"])
        except Exception:
            raise ApiError(503, "could not confirm the SNS subscription") from None
        return SnsResult(type=kind)
    if kind != "Notification":
        return SnsResult(type=kind)
    try:
        records = parse_ses_event(message_of(envelope), envelope.get("MessageId"))
    except InvalidNotification as error:
        raise ApiError(422, str(error), code="invalid_event") from None
    result = ingest_events(
        context.store, records, actor="sns", request_id=getattr(request.state, "request_id", None)
    )
    return SnsResult(
        type=kind,
        recorded=result.recorded,
        duplicates=result.duplicates,
        suppressed=len(result.suppressed),
    )
