#!/bin/sh
# What the tests need besides Python packages, on a Debian machine:
#
#   chromium            the browser the offline GraphiQL test drives (tests/test_graphiql.py)
#   fonts-wqy-microhei  a CJK font, so that test's screenshot shows Chinese
#   npm                 installs GraphiQL's pinned files (xieshang graphiql install)
#
# Installs whichever is missing with apt-get when run as root; otherwise says what to install and
# fails. Then runs `xieshang graphiql install` (npm ci from the committed lock file). Safe to run
# again: installed packages are left alone and npm ci gives the same files every time.
#
#   sh scripts/prerequisites.sh                      after: python3 -m venv .venv && .venv/bin/pip install -e '.[test]'
#   XIESHANG=/path/to/xieshang sh scripts/prerequisites.sh    another installation of xieshang
set -eu

cd "$(dirname "$0")/.."
XIESHANG=${XIESHANG:-.venv/bin/xieshang}

say() { printf '%s\n' "$*"; }
fail() {
    printf 'scripts/prerequisites.sh: %s\n' "$@" >&2
    exit 1
}

# Each check asks for what the tests use: the test starts /usr/bin/chromium itself.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$missing fonts-wqy-microhei"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
missing=${missing# }

if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "正在安装 installing: $missing"
        apt-get update -qq
        # shellcheck disable=SC2086  # one word per package
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        fail "缺少 missing: $missing" \
            "请以 root 身份运行本脚本，或先安装 run this script as root, or install them first:" \
            "    sudo apt-get install -y $missing" \
            "（chromium 与字体只用于浏览器测试 tests/test_graphiql.py；npm 用于安装离线 GraphiQL 的文件）" \
            "(chromium and the font are for the browser test only; npm installs GraphiQL's files)"
    fi
    [ -x /usr/bin/chromium ] || fail "apt-get 之后仍没有 /usr/bin/chromium: still no /usr/bin/chromium after apt-get"
    command -v npm >/dev/null 2>&1 || fail "apt-get 之后仍没有 npm: still no npm after apt-get"
else
    say "系统软件包齐全 system packages present: chromium, fonts-wqy-microhei, npm"
fi

[ -x "$XIESHANG" ] || fail "没有找到 $XIESHANG: not found; 请先 first run:" \
    "    python3 -m venv .venv && .venv/bin/pip install -e '.[test]'" \
    "（或用 XIESHANG=… 指定 xieshang 命令 or name the xieshang command with XIESHANG=…）"
"$XIESHANG" graphiql install
