"""``xieshang db``: migrations, backup and restore."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from xieshang.cli.common import subcommands, writes
from xieshang.config import Settings


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="数据库迁移 database migrations")
    actions = subcommands(db, "db_command")
    upgrade = actions.add_parser("upgrade", help="升级到最新（或指定）版本 apply migrations")
    upgrade.add_argument("revision", nargs="?", default="head", help="目标版本（默认 head）")
    upgrade.set_defaults(handler=_upgrade)
    downgrade = actions.add_parser("downgrade", help="回退迁移 revert migrations")
    downgrade.add_argument(
        "revision", nargs="?", default="-1", help="目标版本（默认 -1，回退一步；base 为全部）"
    )
    downgrade.set_defaults(handler=_downgrade)
    actions.add_parser("current", help="显示数据库当前版本 show the current revision").set_defaults(
        handler=_current
    )
    revision = actions.add_parser(
        "revision", help="（开发者）按模型差异生成新迁移 autogenerate a migration"
    )
    revision.add_argument("-m", "--message", required=True, help="迁移说明")
    revision.set_defaults(handler=_revision)
    backup = actions.add_parser(
        "backup", help="在线备份 SQLite 数据库（服务运行中也可） back up a SQLite database"
    )
    backup.add_argument("path", type=Path, help="备份文件路径（不能已存在）")
    backup.set_defaults(handler=_backup)
    restore = actions.add_parser(
        "restore", help="从备份恢复 SQLite 数据库 restore a SQLite database from a backup"
    )
    restore.add_argument("path", type=Path, help="备份文件路径")
    restore.add_argument(
        "--force", action="store_true", help="数据库正被使用时也覆盖（确认服务已停止时才用）"
    )
    restore.set_defaults(handler=_restore)
    # The database itself (its schema, its file), below the domain: no unit of work applies.
    for leaf in actions.choices.values():
        writes(leaf, None)


def _upgrade(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import migrate

    asyncio.run(migrate.upgrade(settings.database_url, args.revision))
    print(f"数据库已升级到 {asyncio.run(migrate.current(settings.database_url))}")


def _downgrade(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import migrate

    asyncio.run(migrate.downgrade(settings.database_url, args.revision))
    print(f"数据库已回退到 {asyncio.run(migrate.current(settings.database_url)) or 'base（空）'}")


def _current(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import migrate

    at = asyncio.run(migrate.current(settings.database_url))
    head = migrate.head_revision()
    state = "最新 at head" if at == head else f"需要升级 behind head {head}"
    print(f"{at or 'base（空）'}（{state}）")


def _revision(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import migrate

    asyncio.run(migrate.revision(settings.database_url, args.message))


def _backup(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import backup

    revision = backup.backup(settings.database_url, args.path)
    print(f"已备份到 {args.path.expanduser().resolve()}（迁移版本 {revision}）")


def _restore(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.db import backup

    revision = backup.restore(settings.database_url, args.path, force=args.force)
    print(f"已从 {args.path} 恢复（迁移版本 {revision}）")
    if backup.behind_head(revision):
        print("该备份来自较旧的版本：请运行 xieshang db upgrade")
