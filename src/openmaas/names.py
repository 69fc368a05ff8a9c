"""Name rules shared by several resources."""

from __future__ import annotations

import re

# Letters, Chinese characters, digits, hyphens and underscores (CONTRACT 5.1, 5.2).
RESOURCE_NAME = re.compile(r"^[A-Za-z0-9\u4e00-\u9fa5_-]+$")
