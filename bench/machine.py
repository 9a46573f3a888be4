"""What every benchmark records about the machine it ran on."""

from __future__ import annotations

import os
import platform
import sys


def machine_info(**extra: object) -> dict[str, object]:
    """Platform, CPU count and Python, plus the benchmark's own ``extra`` fields."""
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        **extra,
    }
