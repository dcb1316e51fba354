"""What a PNG the app wrote holds, for the tests of --screenshot and Export image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

DRAWN = 800  # distinct colours: the window with its tab still loading has ~250 (antialiased text); a drawn tab 1,400+


def picture(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct colours of the PNG at ``path``."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    return image.width(), image.height(), len(np.unique(pixels))
