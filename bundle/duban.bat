@echo off
rem Run duban from the .venv that the install script made beside this file.
rem Double-clicked: shows duban --help and leaves a console open (cmd /k) where duban can be typed.
rem From a console with arguments (duban.bat collect FOLDER): runs that command, returns its exit code.
rem UTF-8, code page 65001 before the first non-ASCII line: see the install script for why.
chcp 65001 >nul
setlocal
set "HERE=%~dp0"
if not exist "%HERE%.venv\Scripts\duban.exe" goto notinstalled
rem duban.exe holds the absolute path of the venv's python: after the folder moved it cannot start.
"%HERE%.venv\Scripts\duban.exe" --help >nul 2>&1
if errorlevel 1 goto broken
set "PATH=%HERE%.venv\Scripts;%PATH%"
if not "%~1"=="" goto run

title duban 督办
duban --help
echo.
echo 在下面输入 duban 命令后按回车，例如：
echo   duban demo                 用鹤山 2022 样例演示一遍（在当前文件夹里建 demo 文件夹）
echo   duban init D:\督办\2024    建立工作区
echo   duban 命令 --help          查看一个命令的说明
echo 关闭窗口即退出。
echo.
cmd /k
exit /b 0

:run
duban %*
exit /b %errorlevel%

:notinstalled
echo 还没有安装 duban：请先双击本文件夹里的“安装.bat”。
echo.
pause
exit /b 3

:broken
echo duban 的安装已失效（本文件夹可能被移动过，或 Python 3.11 被卸载）：请重新双击“安装.bat”。
echo.
pause
exit /b 3
