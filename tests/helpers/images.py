"""Images made in tests."""

import io

from PIL import Image


def png_bytes(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()
