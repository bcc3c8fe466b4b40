"""``xieshang serve``: run the service (uvicorn)."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from xieshang import __version__
from xieshang.cli.common import port, positive_int, writes
from xieshang.cli.demo import load_demo
from xieshang.config import Settings


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="启动服务 run the GraphQL service")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=port, default=8000, help="端口（默认 8000）")
    serve.add_argument("--workers", type=positive_int, default=1, help="工作进程数（默认 1）")
    serve.add_argument("--reload", action="store_true", help="代码变化时自动重启（仅开发用）")
    serve.add_argument(
        "--demo", action="store_true", help="启动前迁移数据库并载入演示县 蓬安县（已载入则不变）"
    )
    serve.set_defaults(handler=run)
    writes(serve, None)  # the server's own changes are its requests' units of work


def run(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from xieshang.db import migrate
    from xieshang.web.observability import log_config

    if args.demo:
        asyncio.run(migrate.upgrade(settings.database_url))
        asyncio.run(load_demo(settings, 2024, replace=False))
    asyncio.run(migrate.ensure_at_head(settings.database_url))
    # Worker processes and the reloader import the app by name and read the environment.
    os.environ["XIESHANG_DATABASE_URL"] = settings.database_url
    print(
        f"xieshang {__version__} 已启动 running：http://{args.host}:{args.port}/graphql", flush=True
    )
    uvicorn.run(
        "xieshang.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if not args.reload else None,
        reload=args.reload,
        # Applied in every worker process: JSON lines (readable in development), and
        # xieshang.access's line per request instead of uvicorn's access log.
        log_config=log_config(settings.environment),
        access_log=False,
    )
