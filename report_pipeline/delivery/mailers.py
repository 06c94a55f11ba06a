"""Ways to hand a built message over: an outbox directory or an SMTP server."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from report_pipeline.health import Health, healthy, scrub, unhealthy, writable_dir
from report_pipeline.settings import SesSettings, SmtpSettings
from report_pipeline.storage.atomic_files import write_atomically

if TYPE_CHECKING:
    from report_pipeline.settings import Settings

CA_FILE_SETTING = "REPORT_PIPELINE_SMTP_CA_FILE"
_NAME_MISMATCH = (62, 64)  # OpenSSL X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
_HARD_BOUNCE = re.compile(r"^\s*5\.(1\.\d{1,3}|2\.1)(?!\d)")  # RFC 3463 enhanced codes

# Errors that mean "the server went away", worth one fresh connection.
_DROPPED = (
    smtplib.SMTPServerDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


class SendError(Exception):
    """A message was not handed over.

    `permanent` is True only when the server refused this message or recipient
    for good (5xx); everything else may succeed on a later attempt.
    """

    def __init__(self, message: str, *, permanent: bool, hard_bounce: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        # The recipient's mailbox does not exist or is disabled (5.1.x, 5.2.1):
        # later mail to it is pointless, so the sender suppresses the address.
        self.hard_bounce = hard_bounce


class MailerConfigError(SendError):
    """The mailer cannot work as configured (certificate, login, TLS not offered).

    No message can succeed until an operator changes `setting`, so the run stops
    at once instead of retrying every recipient; the text names the setting.
    """

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message, permanent=False)
        self.setting = setting


class WireMessage(EmailMessage):
    """A message whose exact bytes were assembled beforehand (see `ReportComposer`).

    The headers are real; `as_bytes()` returns `wire` instead of flattening
    again, so a large attachment is encoded once per report, not per recipient.
    """

    wire: bytes = b""

    def as_bytes(self, unixfrom: bool = False, policy=None) -> bytes:
        return self.wire


class Mailer(Protocol):
    """Sends messages; used as a context manager so a batch shares one connection."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage) -> str | None:
        """Hand the message over; returns the provider's id for it, when it has one."""
        ...


ExcInfo = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]


class BatchMailer:
    """The `with mailer:` batch, written once: mailers say what begins and ends a batch."""

    def __enter__(self) -> Self:
        self._begin_batch()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end_batch((exc_type, exc, tb))

    def _begin_batch(self) -> None:
        """Nothing to open by default."""

    def _end_batch(self, exc_info: ExcInfo) -> None:
        """Nothing to close by default."""


class OutboxMailer(BatchMailer):
    """Writes each message as an .eml file; the same message always lands in the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, message: EmailMessage) -> Path:
        """File the message is (or would be) written to."""
        message_id = (message.get("Message-ID") or "").strip()
        if not message_id:
            raise SendError("outbox needs a Message-ID to name the file", permanent=True)
        recipient = _first_recipient(message)
        digest = hashlib.sha256(f"{recipient}\0{message_id}".encode()).hexdigest()[:20]
        safe_recipient = re.sub(r"[^a-z0-9._@+-]", "_", recipient)[:64] or "unknown"
        return self.directory / f"{safe_recipient}__{digest}.eml"

    def send(self, message: EmailMessage) -> None:
        target = self.path_for(message)
        try:
            write_atomically(target, message.as_bytes())
        except OSError as exc:
            raise SendError(
                f"could not write {target.name} to the outbox: {exc}", permanent=False
            ) from exc


class SmtpMailer(BatchMailer):
    """SMTP delivery over one lazily opened connection reused inside a `with` block."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        timeout: float = 30.0,
        local_hostname: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if settings.security not in ("none", "starttls", "ssl"):
            raise ValueError(f"unknown SMTP security {settings.security!r}")
        if (settings.username is None) != (settings.password is None):
            raise ValueError("SMTP username and password go together")
        self.host, self.port, self.security = settings.host, settings.port, settings.security
        self.username, self._password = settings.username, settings.password
        self.timeout, self.local_hostname = timeout, local_hostname
        self._ssl_context = ssl_context
        self.ca_file = settings.ca_file
        self._smtp: smtplib.SMTP | None = None
        self._in_batch = False

    def __repr__(self) -> str:  # never show the password
        return f"SmtpMailer({self.host!r}, {self.port}, security={self.security!r})"

    def _begin_batch(self) -> None:
        self._in_batch = True

    def _end_batch(self, exc_info: ExcInfo) -> None:
        self._in_batch = False
        self.close()

    def send(self, message: EmailMessage) -> None:
        try:
            self._send_reconnecting_once(message)
        except SendError:
            raise
        except smtplib.SMTPException as exc:
            self._discard_if_unusable(exc)
            raise _send_error(exc, self._where()) from exc
        except (OSError, ValueError) as exc:
            self._discard()
            raise _send_error(exc, self._where()) from exc
        finally:
            if not self._in_batch:
                self.close()

    def close(self) -> None:
        """Say QUIT politely; a connection that is already gone is fine."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _send_reconnecting_once(self, message: EmailMessage) -> None:
        try:
            self._deliver(self._connection(), message)
        except _DROPPED as exc:
            if isinstance(exc.__context__, TimeoutError):
                # smtplib reports a reply that never came as a disconnect; the server
                # may hold the message, so it is retried later, not sent twice now.
                raise
            # Idle connections get closed by servers; a fresh one is expected
            # to work. The same Message-ID lets receivers drop a rare duplicate.
            self._discard()
            self._deliver(self._connection(), message)

    def _deliver(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        if isinstance(message, WireMessage):
            recipients = [
                addr
                for _, addr in getaddresses(
                    [str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])]
                )
            ]
            sender = getaddresses([str(message["From"])])[0][1]
            refused = smtp.sendmail(sender, recipients, message.wire)
        else:
            refused = smtp.send_message(message)
        if refused:  # some recipients accepted, some not
            raise _refused_error(refused, self._where(), partial=True)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            try:
                self._smtp = self._open()
            except MailerConfigError:
                raise
            except (smtplib.SMTPException, OSError) as exc:
                raise _connect_error(exc, self._where()) from _safe_cause(exc)
        return self._smtp

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is not None:
            return self._ssl_context
        context = ssl.create_default_context()
        if self.ca_file:
            # Added to the system trust store, not replacing it (unlike SSL_CERT_FILE).
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise MailerConfigError(
                    f"{CA_FILE_SETTING}={self.ca_file} cannot be loaded ({exc});"
                    f" fix {CA_FILE_SETTING}",
                    setting=CA_FILE_SETTING,
                ) from None
        self._ssl_context = context
        return context

    def _open(self) -> smtplib.SMTP:
        context = self._context()
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        try:
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username is not None:
                smtp.login(self.username, self._password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _discard_if_unusable(self, exc: smtplib.SMTPException) -> None:
        # smtplib resets the transaction after a refusal, so the connection
        # stays usable; anything else leaves it in an unknown state.
        if not isinstance(
            exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
        ):
            self._discard()

    def _discard(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _where(self) -> str:
        return f"{self.host}:{self.port}"


def _connect_error(exc: BaseException, where: str) -> SendError:
    # Failing to connect, greet, secure or log in is never this message's fault.
    # A certificate, a login or TLS the server lacks is the configuration's
    # (MailerConfigError: the run stops); anything else may pass (retryable).
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code in _NAME_MISMATCH:
        return MailerConfigError(
            f"certificate of SMTP server {where} is not for that name ({exc.verify_message}):"
            " set REPORT_PIPELINE_SMTP_HOST to a name the certificate holds",
            setting="REPORT_PIPELINE_SMTP_HOST",
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailerConfigError(
            f"certificate of SMTP server {where} not trusted ({exc.verify_message}): set"
            f" {CA_FILE_SETTING} to the CA file that signed it",
            setting=CA_FILE_SETTING,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailerConfigError(
            f"SMTP login to {where} failed ({exc.smtp_code}): check"
            " REPORT_PIPELINE_SMTP_USERNAME and REPORT_PIPELINE_SMTP_PASSWORD",
            setting="REPORT_PIPELINE_SMTP_PASSWORD",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc):
        return MailerConfigError(
            f"SMTP server {where} does not offer STARTTLS: set REPORT_PIPELINE_SMTP_SECURITY"
            " (ssl for implicit TLS) or enable STARTTLS on the server",
            setting="REPORT_PIPELINE_SMTP_SECURITY",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = _reply_text(exc.smtp_error)
        detail = f"answered {exc.smtp_code} {reply}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return SendError(f"could not open SMTP session with {where}: {detail}", permanent=False)


def _safe_cause(exc: BaseException) -> BaseException | None:
    # An authentication reply could echo what we sent; keep it out of tracebacks.
    return None if isinstance(exc, smtplib.SMTPAuthenticationError) else exc


def _send_error(exc: BaseException, where: str) -> SendError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refused_error(exc.recipients, where, partial=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = _reply_text(exc.smtp_error)
        return SendError(
            f"SMTP server {where} answered {exc.smtp_code} {reply}",
            permanent=500 <= exc.smtp_code < 600,
            hard_bounce=_is_hard_bounce(exc.smtp_code, reply),
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(f"SMTP server {where} lacks a needed feature: {exc}", permanent=False)
    if isinstance(exc, ValueError):
        return SendError(f"message cannot be sent: {exc}", permanent=True)
    return SendError(
        f"SMTP connection to {where} failed: {type(exc).__name__}: {exc}", permanent=False
    )


def _refused_error(refused: dict, where: str, *, partial: bool) -> SendError:
    details = "; ".join(
        f"{rcpt}: {code} {_reply_text(reply)}" for rcpt, (code, reply) in refused.items()
    )
    prefix = "some recipients refused" if partial else "recipient refused"
    permanent = all(500 <= code < 600 for code, _ in refused.values())
    bounced = all(_is_hard_bounce(code, _reply_text(reply)) for code, reply in refused.values())
    return SendError(
        f"{prefix} by {where}: {details}",
        permanent=permanent,
        hard_bounce=bool(refused) and bounced,
    )


def _is_hard_bounce(code: int, reply: str) -> bool:
    """5.1.x (bad mailbox or address) or 5.2.1 (mailbox disabled) on a 5xx reply."""
    return 500 <= code < 600 and _HARD_BOUNCE.match(reply) is not None


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _first_recipient(message: EmailMessage) -> str:
    addresses = getaddresses([str(value) for value in message.get_all("To", [])])
    return addresses[0][1].lower() if addresses else ""


@dataclass(frozen=True)
class MailerConfig:
    """What every mailer factory (`backends.MAILERS`) is handed; `kind` picks the factory."""

    kind: str = "outbox"
    outbox_dir: str = "var/outbox"
    smtp: SmtpSettings = SmtpSettings()
    ses: SesSettings = SesSettings()
    rate_factory: Callable[[str, float], Any] | None = None  # the shared send-rate bucket


def open_outbox_mailer(config: MailerConfig) -> Mailer:
    return OutboxMailer(Path(config.outbox_dir))


def open_smtp_mailer(config: MailerConfig) -> Mailer:
    from report_pipeline.delivery.rate import PacedMailer, SendRateConfig, process_send_rates

    smtp = config.smtp
    mailer = SmtpMailer(smtp, timeout=smtp.timeout_seconds)
    if smtp.max_rate is None:
        return mailer
    rates = config.rate_factory or process_send_rates(SendRateConfig())
    return PacedMailer(mailer, rates("smtp", smtp.max_rate))


# --- the doctor's checks (backends.MAILERS) ---------------------------------------------------


def check_outbox_mailer(settings: Settings) -> Health:
    return writable_dir("mailer (outbox)", settings.outbox_dir)


def check_smtp_mailer(settings: Settings) -> Health:
    """The server answers, its certificate is trusted as the sender trusts it, login works."""
    service = "mailer (smtp)"
    smtp = settings.smtp
    host, port, security = smtp.host, smtp.port, smtp.security
    username, password, ca_file = smtp.username, smtp.password, smtp.ca_file
    context = ssl.create_default_context()
    try:
        if ca_file:  # the sender adds it to the system trust store the same way
            context.load_verify_locations(cafile=ca_file)
    except (OSError, ssl.SSLError) as error:
        return unhealthy(
            service,
            f"REPORT_PIPELINE_SMTP_CA_FILE={ca_file} cannot be loaded: {error}",
            "point REPORT_PIPELINE_SMTP_CA_FILE at a PEM file of CA certificates",
        )
    try:
        smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
        kwargs = {"context": context} if security == "ssl" else {}
        with smtp_class(host, port, timeout=10, **kwargs) as connection:
            connection.ehlo()
            if security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if username:
                connection.login(username, password or "")
    except ssl.SSLCertVerificationError as error:
        return unhealthy(
            service,
            f"{host}:{port} ({security}): certificate not trusted: {error.verify_message}",
            _certificate_fix(error, ca_file),
        )
    except smtplib.SMTPAuthenticationError:
        return unhealthy(
            service,
            f"login as {username!r} refused by {host}:{port}",
            "check REPORT_PIPELINE_SMTP_USERNAME and REPORT_PIPELINE_SMTP_PASSWORD",
        )
    except (smtplib.SMTPException, OSError) as error:
        return unhealthy(
            service,
            f"{host}:{port} ({security}): {scrub(str(error), settings)}",
            "check REPORT_PIPELINE_SMTP_HOST, _SMTP_PORT and _SMTP_SECURITY"
            " (starttls on 587, ssl on 465)",
        )
    return healthy(service, f"{host}:{port} answers ({security}{', login ok' if username else ''})")


def _certificate_fix(error: ssl.SSLCertVerificationError, ca_file: str | None) -> str:
    if error.verify_code in (62, 64):  # host name / IP address mismatch
        return "set REPORT_PIPELINE_SMTP_HOST to a name the server's certificate holds"
    if ca_file:
        return (
            f"REPORT_PIPELINE_SMTP_CA_FILE={ca_file} does not hold the CA that signed"
            " the server's certificate"
        )
    return (
        "set REPORT_PIPELINE_SMTP_CA_FILE to the PEM file of the CA that signed the"
        " server's certificate (added to the system trust store)"
    )
