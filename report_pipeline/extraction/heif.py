"""HEIC/HEIF phone photos: Pillow reads them once pillow-heif's opener is registered.

Kept apart so the image OCR path stays unaware of the format; importing this
module (done by the OCR module, which opens every image) is enough.
"""

from __future__ import annotations


def register() -> bool:
    """Teach Pillow to open HEIF stills; False when pillow-heif is not installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # optional: HEIC photos then fail with "not a recognised image format"
        return False
    register_heif_opener()
    return True


HEIF_AVAILABLE = register()
