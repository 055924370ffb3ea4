"""Which zone a source writes its naive times in. Pure.

China's finance sites and wires write local times without an offset: UTC+8, Asia/Shanghai.
"""

from __future__ import annotations

import re

CHINA_ZONE = "Asia/Shanghai"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def is_chinese(text: str) -> bool:
    """True when ``text`` has a Han character (a Chinese site, feed or page name)."""
    return bool(_HAN.search(text))
