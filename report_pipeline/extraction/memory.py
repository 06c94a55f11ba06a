"""Give the heap memory a page used back to the operating system once the page is done.

A page rendered at 300 dpi and tesseract's working copies of it are tens of MB,
allocated and freed once per page. glibc keeps freed heap memory inside the
process (after the first large free it raises its mmap threshold, so later
page buffers come from the heap), and a step that OCRs hundreds of pages then
holds its worst page's high-water mark plus the fragmentation around it for
its whole life. `malloc_trim(0)` hands the free pages back; it costs about a
millisecond, against a second or more of OCR per page.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None


def release_freed_memory() -> None:
    """Return the process's free heap pages to the OS (a no-op where libc has no malloc_trim)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
