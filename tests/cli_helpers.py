from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_fmlint(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run fmlint as a user does: a separate process, its exit code and output."""
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full_env.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "fmlint", *args], cwd=cwd, capture_output=True,
                          text=True, env=full_env, timeout=timeout, check=False)
