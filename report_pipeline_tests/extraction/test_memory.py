"""Page-sized buffers leave the process when freed, even with small allocations around them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from report_pipeline.extraction import memory

# A process frees a page-sized buffer (8 MB) that small allocations made before and after
# it surround, as tesseract's and Python's do; prints how much of it left the process.
PROBE = """
import ctypes, json
from report_pipeline.extraction import memory

def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

if {fixed}:
    memory.keep_page_buffers_out_of_the_heap()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
size = 8 << 20
first = libc.malloc(size)
ctypes.memset(first, 1, size)
libc.free(first)  # glibc's default: the threshold rises above this size
pinned = [libc.malloc(4096) for _ in range(64)]
page = libc.malloc(size)
ctypes.memset(page, 1, size)
pinned += [libc.malloc(4096) for _ in range(64)]
before = rss_kb()
libc.free(page)
print(json.dumps({{"returned_mb": (before - rss_kb()) / 1024}}))
"""


def _returned_mb(fixed: bool) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(fixed=fixed)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)["returned_mb"]


needs_glibc = pytest.mark.skipif(memory._glibc() is None, reason="not glibc")


@needs_glibc
def test_a_freed_page_buffer_leaves_the_process_with_the_threshold_fixed() -> None:
    assert _returned_mb(fixed=True) >= 7.5


@needs_glibc
def test_without_it_glibc_keeps_the_freed_buffer_in_the_heap() -> None:
    # What the fix is for: the default raises the threshold, and the buffer stays.
    assert _returned_mb(fixed=False) < 1


def test_a_process_that_reads_pages_fixes_the_threshold() -> None:
    probe = (
        "import report_pipeline.extraction.memory as memory\n"
        "calls = []\n"
        "memory.keep_page_buffers_out_of_the_heap = lambda: calls.append(1)\n"
        "import report_pipeline.extraction.ocr\n"
        "print(len(calls))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "1"
