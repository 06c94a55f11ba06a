"""Small PDFs built byte by byte for tests: page-tree bombs, huge pages, scans."""

from __future__ import annotations

import io

from PIL import Image


def build_pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A valid PDF of numbered objects (1-based, in order) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, trailer_extra, xref)
    )
    return out.getvalue()


def page_tree_bomb(fanout: int = 1000, levels: int = 3) -> bytes:
    """fanout**levels pages in a few KB: every level lists the same child `fanout` times."""
    # 1 catalog, 2 the page, 3.. one Pages node per level (the last is the root's /Pages).
    objects = [b"", b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] >>"]
    for level in range(levels):
        child = 2 + level
        kids = b" ".join([b"%d 0 R" % child] * fanout)
        parent = b" /Parent %d 0 R" % (child + 2) if level < levels - 1 else b""
        objects.append(
            b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (kids, fanout ** (level + 1), parent)
        )
    objects[0] = b"<< /Type /Catalog /Pages %d 0 R >>" % (2 + levels)
    return build_pdf(objects)


def image_page_pdf(width_pt: float, height_pt: float) -> bytes:
    """One page of the given size covered by an image (a 'scan') and no text."""
    pixels = Image.new("L", (8, 8), 255).tobytes()
    content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R "
            b"/Resources << /XObject << /Im0 5 0 R >> >> >>" % (width_pt, height_pt),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream",
        ]
    )


def scanned_pdf(*pages: Image.Image, dpi: int = 300) -> bytes:
    """Page images wrapped into a PDF, as a scanner or fax gateway does."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("L") for page in pages]
    first.save(buffer, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()
