"""GraphiQL served by xieshang itself, for intranets without internet access.

``GET /graphql`` from a browser gets a page whose scripts and styles all come from
``/graphiql/static/…`` on the same server: GraphiQL, React, ReactDOM and the explorer plugin
from the npm packages pinned in ``package.json`` / ``package-lock.json`` beside this module,
installed by ``xieshang graphiql install`` (``npm ci``) into ``node_modules/`` here, or into the
folder named by ``XIESHANG_GRAPHIQL_DIR``. Nothing is fetched from a CDN at run time; when the
files are missing the page says so in Chinese (HTTP 503) and the log warns at start-up.

Only the files listed in :data:`VENDOR` (and this package's own ``page.js`` / ``page.css``) are
served: the rest of ``node_modules`` stays private.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from xieshang import __version__
from xieshang.config import Settings
from xieshang.errors import XieshangError

logger = logging.getLogger("xieshang.web.graphiql")

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_PREFIX = "/graphiql/static"
#: Environment variable naming another folder for ``package.json`` and ``node_modules``.
DIR_VARIABLE = "XIESHANG_GRAPHIQL_DIR"
INSTALL_COMMAND = "xieshang graphiql install"

#: npm files the page loads, by the name they are served under (paths below node_modules/).
VENDOR: dict[str, str] = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
    "plugin-explorer.umd.js": "@graphiql/plugin-explorer/dist/index.umd.js",
    "plugin-explorer.css": "@graphiql/plugin-explorer/dist/style.css",
}
#: xieshang's own files of the page (shipped as package data).
OWN = ("page.js", "page.css")
#: Load order matters: React before ReactDOM before GraphiQL before the plugin.
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
    "page.js",
)
STYLES = ("graphiql.min.css", "plugin-explorer.css", "page.css")


class GraphiQLError(XieshangError):
    """GraphiQL's files cannot be installed or are not installed."""

    code = "GRAPHIQL_ASSETS_MISSING"


def assets_dir(settings: Settings) -> Path:
    """The folder holding ``node_modules`` (``XIESHANG_GRAPHIQL_DIR`` or this package)."""
    chosen = settings.extra.get(DIR_VARIABLE)
    return Path(chosen).expanduser().resolve() if chosen else PACKAGE_DIR


def missing(directory: Path) -> list[str]:
    """The npm files of :data:`VENDOR` that are not installed under ``directory``."""
    modules = directory / "node_modules"
    return [path for path in VENDOR.values() if not (modules / path).is_file()]


def pinned_versions() -> dict[str, str]:
    """The npm packages and exact versions the page is built from (``package.json``)."""
    manifest = json.loads((PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))
    return dict(manifest["dependencies"])


def install(directory: Path | None = None, *, npm: str | None = None) -> Path:
    """Install the pinned npm packages with ``npm ci`` into ``directory`` (default: this package).

    Uses the committed lock file, so every machine gets the same files; returns the
    ``node_modules`` folder. Raises :class:`GraphiQLError` when npm is missing or fails.
    """
    target = (directory or PACKAGE_DIR).resolve()
    program = npm or shutil.which("npm")
    if program is None:
        raise GraphiQLError(
            "未找到 npm：请先安装 Node.js 和 npm（Debian: apt-get install npm），"
            "或在能访问 npm 仓库的机器上运行本命令后把目录复制过来",
            code="NPM_NOT_FOUND",
        )
    target.mkdir(parents=True, exist_ok=True)
    if target != PACKAGE_DIR:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(PACKAGE_DIR / name, target / name)
    # --ignore-scripts: these packages need no install scripts, so none are run.
    command = [program, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]
    result = subprocess.run(command, cwd=target, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise GraphiQLError(f"npm ci 失败（退出码 {result.returncode}）：{' | '.join(tail)}")
    absent = missing(target)
    if absent:
        raise GraphiQLError(f"npm ci 完成，但缺少文件：{', '.join(absent)}")
    return target / "node_modules"


def _missing_page(directory: Path, absent: list[str]) -> str:
    files = "".join(f"<li><code>{escape(path)}</code></li>" for path in absent)
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>GraphiQL 未安装</title></head>
<body>
<h1>GraphiQL 的前端文件尚未安装</h1>
<p>本服务不从互联网（CDN）加载脚本。请在服务器上运行 <code>{INSTALL_COMMAND}</code>
（用 npm 按锁定版本安装到 <code>{escape(str(directory / "node_modules"))}</code>），无需重启服务。</p>
<p>缺少的文件：</p><ul>{files}</ul>
<p>GraphiQL assets are not installed: run <code>{INSTALL_COMMAND}</code>.
The GraphQL endpoint itself works (POST /graphql).</p>
</body>
</html>
"""


class GraphiQLPage:
    """The GraphiQL page of ``GET /graphql`` and the routes serving its files."""

    def __init__(self, settings: Settings) -> None:
        self.directory = assets_dir(settings)
        # Changes with xieshang (page.js) and with the pinned GraphiQL: busts browser caches.
        self.version = f"{__version__}-{pinned_versions().get('graphiql', '')}"
        absent = missing(self.directory)
        if settings.graphiql and absent:
            logger.warning(
                "GraphiQL 的前端文件未安装（缺少 %s），浏览器打开 /graphql 将看到提示；请运行 %s",
                ", ".join(absent),
                INSTALL_COMMAND,
            )

    def _url(self, name: str) -> str:
        # The version in the query string lets browsers cache the files until an upgrade.
        return f"{STATIC_PREFIX}/{name}?v={escape(self.version)}"

    def html(self) -> str:
        """The page: every script and stylesheet from this server, no inline script."""
        styles = "\n".join(f'<link rel="stylesheet" href="{self._url(n)}">' for n in STYLES)
        scripts = "\n".join(f'<script src="{self._url(n)}"></script>' for n in SCRIPTS)
        return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xieshang（协商）GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
</head>
<body>
<div id="graphiql">正在加载 GraphiQL…</div>
{scripts}
</body>
</html>
"""

    def response(self) -> Response:
        """The page, or a Chinese explanation (503) when the npm files are missing."""
        absent = missing(self.directory)
        if absent:
            return HTMLResponse(_missing_page(self.directory, absent), status_code=503)
        return HTMLResponse(self.html())

    def path_of(self, name: str) -> Path | None:
        """The file served as ``/graphiql/static/<name>``; ``None`` for any other name."""
        if name in VENDOR:
            return self.directory / "node_modules" / VENDOR[name]
        if name in OWN:
            return PACKAGE_DIR / name
        return None

    async def asset(self, request: Request) -> Response:
        """``GET /graphiql/static/<name>``: one of the page's files."""
        path = self.path_of(str(request.path_params["name"]))
        if path is None:
            return PlainTextResponse("没有这个文件 not found", status_code=404)
        if not path.is_file():
            return PlainTextResponse(
                f"GraphiQL 的前端文件未安装：请运行 {INSTALL_COMMAND}", status_code=404
            )
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    def routes(self) -> list[BaseRoute]:
        """The static routes (mount them only where GraphiQL is enabled)."""
        return [Route(f"{STATIC_PREFIX}/{{name}}", self.asset, methods=["GET", "HEAD"])]
