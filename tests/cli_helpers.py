"""Running the ``xieshang`` command as a real process, for the CLI tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL

SCRIPT = Path(sys.executable).with_name("xieshang")


def run(
    *args: str,
    url: URL | str | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")}
    env |= extra_env or {}
    if url is not None:
        env["XIESHANG_DATABASE_URL"] = (
            url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        )
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        input=input if input is not None else "",
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for servers the tests start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
