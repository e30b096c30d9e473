@echo off
rem Install duban from this folder into .venv beside it, without network.
rem This file is UTF-8 and switches the console to code page 65001 before the first Chinese line
rem (everything above it is ASCII): the same file then shows its Chinese right on every Windows
rem 10/11, whatever the system locale, also with the "Unicode UTF-8 for worldwide language support"
rem option that breaks GBK batch files; Python 3.11 itself needs Windows 8.1 or newer anyway.
rem Python writes to the console as UTF-16, so duban's own output does not depend on the code page.
rem Control flow uses goto, not ( ) blocks: a ( ) block breaks on the brackets in a message.
chcp 65001 >nul
setlocal
cd /d "%~dp0"
set "HERE=%~dp0"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
title 安装 duban

rem The wheels are for 64-bit CPython 3.11: the py launcher first, then python on PATH. The
rem Microsoft Store's python.exe stub exits with an error here, so it counts as missing.
set "PY="
py -3.11 -c "import struct, sys; sys.exit(struct.calcsize('P') != 8)" >nul 2>&1 && set "PY=py -3.11"
if defined PY goto found
python -c "import struct, sys; sys.exit(sys.version_info[:2] != (3, 11) or struct.calcsize('P') != 8)" >nul 2>&1 && set "PY=python"
if defined PY goto found
goto nopython

:found
echo 正在安装 duban（不需要联网，约需一两分钟）……
echo.
%PY% -m venv --clear "%HERE%.venv"
if errorlevel 1 goto failed
"%HERE%.venv\Scripts\python.exe" -m pip install --no-index --find-links "%HERE%wheels" duban
if errorlevel 1 goto failed
echo.
echo 安装完成。以后双击本文件夹里的“duban.bat”使用 duban。
echo 本文件夹移动到别处后，请重新双击“安装.bat”。
echo.
pause
exit /b 0

:nopython
echo 没有找到 64 位的 Python 3.11，duban 需要它（其他版本如 3.12 不行：本文件夹里的安装包是为 3.11 准备的）。
echo.
if exist "%HERE%python-3.11*.exe" echo 请双击本文件夹里的 python-3.11 安装程序；
if not exist "%HERE%python-3.11*.exe" echo 请向信息科或管理员要 Python 3.11 的 Windows 安装程序 python-3.11.x-amd64.exe（python.org 下载），双击运行；
echo 安装界面第一页勾选下方的“Add python.exe to PATH”，再点“Install Now”。
echo 装好后重新双击“安装.bat”。
echo.
pause
exit /b 1

:failed
echo.
echo 安装没有完成，请把上面的英文信息截图发给管理员。
echo 常见原因：本文件夹不完整（请重新解压 duban-offline.zip），或 Python 不是 3.11 的 64 位版本。
echo.
pause
exit /b 1
