#!/bin/sh
# Install duban from this folder into .venv beside it, without network (Linux x64, macOS arm64).
# The wheels are for CPython 3.11: python3.11 first, then python3 if it is 3.11.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export PIP_DISABLE_PIP_VERSION_CHECK=1

py=""
for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        py=$candidate
        break
    fi
done
if [ -z "$py" ]; then
    echo "没有找到 Python 3.11，duban 需要它（本文件夹里的安装包是为 3.11 准备的）。"
    echo "Linux：用系统的软件包安装 python3.11 和 python3.11-venv；macOS：安装 python.org 的 Python 3.11。装好后重新运行 sh install.sh。"
    exit 1
fi

echo "正在安装 duban（不需要联网）……"
"$py" -m venv --clear "$here/.venv" || {
    echo "无法建立虚拟环境：Debian/Ubuntu 请先安装 python3.11-venv。"
    exit 1
}
"$here/.venv/bin/python" -m pip install --no-index --find-links "$here/wheels" duban
echo
echo "安装完成。以后运行 $here/duban.sh（例如 sh duban.sh demo）；不带参数运行显示说明。"
