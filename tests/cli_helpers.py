"""Running the ``xieshang`` command for the CLI tests: in-process (fast) or as a real process.

:func:`invoke` calls :func:`xieshang.cli.main` in this process, with the same environment,
standard input and captured output that :func:`run` gives a real ``xieshang`` process, and
returns the same :class:`subprocess.CompletedProcess`; it skips the ~2 s each process spends
starting Python and building the schema. :func:`run` starts the real console script: each
command group keeps one test through it (the entry point, a fresh interpreter, exit statuses),
as do tests that need a process of their own (serve, signals, several workers).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL

SCRIPT = Path(sys.executable).with_name("xieshang")


def command_environment(
    url: URL | str | None = None, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of a ``xieshang`` command in a test: this process's, without any
    ``XIESHANG_*`` setting of the test run, plus ``extra_env`` and the database URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")}
    env |= extra_env or {}
    if url is not None:
        env["XIESHANG_DATABASE_URL"] = (
            url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        )
    return env


def run(
    *args: str,
    url: URL | str | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``xieshang ARGS`` as a real process."""
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=command_environment(url, extra_env),
        cwd=cwd,
        timeout=120,
        input=input if input is not None else "",
    )


# One command at a time per process: the environment, the working directory and the standard
# streams are the process's own.
_INVOKE_LOCK = threading.Lock()


def invoke(
    *args: str,
    url: URL | str | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``xieshang ARGS`` in this process: what :func:`run` does, without a new process.

    ``os.environ`` is replaced by the command's environment (and restored afterwards), standard
    input is ``input``, standard output and error are captured, and ``SystemExit`` (argparse)
    becomes the exit status. The command runs in a thread of its own, because its handlers call
    ``asyncio.run``, which refuses to run inside an async test's event loop; like a process
    started by :func:`run`, it blocks the caller until it ends.
    """
    from xieshang.cli import main

    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["status"] = main(list(args))
        except SystemExit as exit:
            code = exit.code
            result["status"] = code if isinstance(code, int) else (0 if code is None else 1)
        except BaseException as exc:  # re-raised in the caller, as a crashed process would fail
            result["error"] = exc

    stdout, stderr = _text_stream(), _text_stream()
    with _INVOKE_LOCK, _environment(command_environment(url, extra_env)), _directory(cwd):
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), stdout, stderr
        try:
            thread = threading.Thread(target=target, name="xieshang-cli")
            thread.start()
            thread.join(timeout=120)
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
    if thread.is_alive():
        raise TimeoutError(f"xieshang {' '.join(args)} did not finish within 120 s")
    error = result.get("error")
    if isinstance(error, BaseException):
        raise AssertionError(f"xieshang {' '.join(args)} raised {error!r}") from error
    status = result["status"]
    assert isinstance(status, int)
    return subprocess.CompletedProcess(["xieshang", *args], status, _value(stdout), _value(stderr))


def _text_stream() -> io.TextIOWrapper:
    # A text stream with a binary buffer underneath, like a real sys.stdout (sys.stdout.buffer).
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="", write_through=True)


def _value(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _directory(cwd: Path | None) -> Iterator[None]:
    if cwd is None:
        yield
        return
    saved = Path.cwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr (no traceback)."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for servers the tests start).

    The server the test starts binds the port a moment after this returns. So that no two
    pytest-xdist workers are handed the same port in that moment, each worker picks at random
    from a band of its own, below Linux's ephemeral range (32768–60999) where the kernel puts
    the ports of everything else on the machine; a port that is taken is skipped.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    count = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    index = int(worker) % count if worker.isdigit() else 0
    width = (_PORTS_END - _PORTS_START) // count
    low = _PORTS_START + index * width
    for _ in range(1000):
        port = random.randrange(low, low + width)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free TCP port in {low}–{low + width - 1}")


_PORTS_START, _PORTS_END = 20000, 32768
