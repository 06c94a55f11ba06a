"""What a backend tells the doctor about itself: one Health, and what its checks share.

Each backend module has a check next to its factory (backends.py names both);
the doctor calls the check of the kind the settings chose. A check opens the
service the way a run would and says what is wrong and how to fix it, with
credentials scrubbed from any error text.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from report_pipeline.settings import Settings

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@\s]*@", re.I)


@dataclass(frozen=True)
class Health:
    """One doctor line: None as problem means the service is usable."""

    service: str
    problem: str | None
    fix: str = ""
    detail: str = ""  # what was checked, for the "ok" line
    warning: bool = False  # worth fixing, but nothing is broken: no failing exit status

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def blocking(self) -> bool:
        return self.problem is not None and not self.warning

    def line(self) -> str:
        if self.ok:
            return f"ok      {self.service}: {self.detail}"
        label = "warning" if self.warning else "problem"
        return f"{label} {self.service}: {self.problem} -> fix: {self.fix}"


def healthy(service: str, detail: str) -> Health:
    return Health(service, None, detail=detail)


def unhealthy(service: str, what: str, fix: str) -> Health:
    return Health(service, what, fix)


def scrub(text: str, settings: Settings) -> str:
    """The error text with passwords in URLs and secret values removed, on one line."""
    for name, value in settings.secrets.items():
        if len(value) >= 4:
            text = text.replace(value, f"${name}")
    text = _URL_PASSWORD.sub(r"\g<scheme>\g<user>:***@", text)
    return " ".join(text.split())[:300]


def writable_dir(service: str, path: Path) -> Health:
    """A directory the embedded backends write into: created if missing, then probed."""
    probe = path / f".doctor-{uuid.uuid4().hex}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"probe")
        probe.unlink()
    except OSError as error:
        return unhealthy(
            service,
            f"{path} is not writable ({error.strerror})",
            "fix its permissions or point REPORT_PIPELINE_HOME elsewhere",
        )
    return healthy(service, f"{path} writable")
