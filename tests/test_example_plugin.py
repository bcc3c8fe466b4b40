"""The example plugin package, pip-installed into a fresh virtual environment, assesses one county
by 桐城's rules while another county of the same deployment stays on 蓬安's."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from xieshang.testing import TestDatabases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tongcheng-rules"

#: Creates a second county, 桐城市, switched to 桐城's standard (run inside the example's venv).
SETUP_TONGCHENG = Path(__file__).with_name("scripts") / "setup_tongcheng.py"

# A fresh venv and a pip install: slow. Made once per pytest-xdist worker that runs any of these
# tests (xdist's loadgroup would keep them on one worker, but does not group on pytest 9.2:
# pytest-dev/pytest-xdist#1386); each worker builds its own copy of the example.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")  # not module: under xdist, other modules' tests come between
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the example pip-installed into it (made once).

    It reuses the test environment's installed packages (xieshang and its dependencies) through
    a .pth file, so that no network is needed; the example itself is installed by pip.
    """
    home = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=120)
    python = home / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    Path(site_packages, "reuse-test-environment.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    # pip builds in the source folder it is given: build a copy, not the repository's files.
    source = tmp_path_factory.mktemp("example") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return home


def _run(
    venv: Path, *args: str, url: URL | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XIESHANG_DATABASE_URL"}
    if url is not None:
        env["XIESHANG_DATABASE_URL"] = url.render_as_string(hide_password=False)
    result = subprocess.run(
        [str(venv / "bin" / "python"), *args], capture_output=True, text=True, env=env, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_example_is_installed_as_a_plugin(venv: Path) -> None:
    listing = _run(venv, "-m", "xieshang", "rules", "list").stdout
    assert "tongcheng  (tongcheng-rules 1.0.0)" in listing
    assert "tongcheng.member-duty" in listing and "pengan.three-ones" in listing
    check = _run(venv, "-m", "xieshang", "rules", "check")
    assert "一切正常" in check.stdout


def test_the_examples_own_tests_pass(venv: Path, tmp_path: Path) -> None:
    result = _run(
        venv,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(EXAMPLE),
        str(EXAMPLE / "tests"),
    )
    assert "passed" in result.stdout and "failed" not in result.stdout


def test_two_counties_two_rule_sets_one_deployment(
    venv: Path, xieshang_databases: TestDatabases, tmp_path: Path
) -> None:
    url = asyncio.run(xieshang_databases.create("example"))
    _run(venv, "-m", "xieshang", "db", "upgrade", url=url)
    _run(venv, "-m", "xieshang", "demo", "load", url=url)
    _run(venv, str(SETUP_TONGCHENG), url.render_as_string(hide_password=False), url=url)

    def assess(county: str, standard: str) -> list[dict]:
        out = _run(
            venv,
            "-m",
            "xieshang",
            "assess",
            "--county",
            county,
            "--standard",
            standard,
            "--period",
            "2024",
            "--format",
            "json",
            url=url,
        ).stdout
        return json.loads(out)

    tongcheng = {a["subject"]["name"]: a for a in assess("340881", "tongcheng.member-duty")}
    assert set(tongcheng) == {"方苞", "姚鼐", "刘大櫆"}
    sections = {s["code"]: s["points"] for s in tongcheng["方苞"]["criteria"][0]["sections"]}
    # Present at the meeting (50), one filed proposal alone (10 + 15), an adopted report (10 + 5 → cap 15).
    assert sections == {"meetings": 50.0, "proposals": 25.0, "activities": 0.0, "reports": 15.0}
    assert tongcheng["方苞"]["score"] == 90.0 and tongcheng["方苞"]["grade"] == "优秀"
    assert (
        tongcheng["姚鼐"]["score"] == 30.0 and tongcheng["姚鼐"]["grade"] == "不称职"
    )  # on leave: 30
    assert tongcheng["刘大櫆"]["score"] == 0.0  # absent without leave

    pengan = assess("511323", "pengan.member-duty")
    assert len(pengan) == 250 and {a["standard"] for a in pengan} == {"pengan.member-duty"}

    # Each county only has its own rules.
    crossed = _run(
        venv, "-m", "xieshang", "assess", "--county", "511323",
        "--standard", "tongcheng.member-duty", "--period", "2024", url=url, check=False,
    )  # fmt: skip
    assert crossed.returncode == 1 and "未启用" in crossed.stderr
    not_there = _run(
        venv, "-m", "xieshang", "assess", "--county", "340881", "--standard", "pengan.member-duty", "--period", "2024",
        url=url, check=False,
    )  # fmt: skip
    assert not_there.returncode == 1
