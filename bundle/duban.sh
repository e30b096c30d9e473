#!/bin/sh
# Run duban from the .venv that install.sh made beside this file; no arguments shows its help.
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/.venv/bin/duban" ]; then
    echo "还没有安装 duban：请先运行 sh install.sh。"
    exit 3
fi
if [ $# -eq 0 ]; then
    set -- --help
fi
exec "$here/.venv/bin/duban" "$@"
