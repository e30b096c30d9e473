Attribute VB_Name = "duban"
' 督办 duban 的 Excel 按钮：在督查室自己的总台账里调用 duban 命令。
' 用法：在 Excel 中按 Alt+F11，文件 → 导入文件，选本文件；把 master.xlsx 另存为 .xlsm；
'       在“开发工具”选项卡插入按钮，分别指定下面的宏。只放在督查室自己的文件里，
'       不要放进发给各单位的报送表（Office 会拦截邮件附件中的宏）。
' 宏假定总台账就在工作区文件夹里（duban.toml 旁边），duban 已安装并在 PATH 中
' （或在下面的 DUBAN 常量里写上完整路径，例如 "C:\duban\.venv\Scripts\duban.exe"）。
Option Explicit

Private Const DUBAN As String = "duban"

Private Function Workspace() As String
    Workspace = ThisWorkbook.Path
End Function

Private Sub RunDuban(ByVal args As String)
    ' cmd /k 让窗口留着，督查室可以看到结果表格和中文提示
    Dim command As String
    command = "cmd /k cd /d """ & Workspace() & """ && " & DUBAN & " " & args
    Shell command, vbNormalFocus
End Sub

Private Function PickFolder(ByVal title As String) As String
    With Application.FileDialog(4) ' msoFileDialogFolderPicker
        .Title = title
        .InitialFileName = Workspace() & "\"
        If .Show = -1 Then PickFolder = .SelectedItems(1)
    End With
End Function

Private Function MasterIsOpen() As Boolean
    ' Windows 不允许替换一个打开着的文件：collect 写总台账前须先关掉它
    Dim wb As Workbook
    For Each wb In Application.Workbooks
        If LCase(wb.FullName) = LCase(Workspace() & "\master.xlsx") Then MasterIsOpen = True
    Next wb
End Function

Private Function AskRound() As String
    AskRound = InputBox("报送轮次的截止日期（例如 2022-04-03），留空则用最近的一轮：", "督办")
End Function

Private Function RoundOption(ByVal round As String) As String
    If Len(round) > 0 Then RoundOption = " --round " & round
End Function

Public Sub 生成报送表()
    RunDuban "generate -w """ & Workspace() & """" & RoundOption(AskRound())
End Sub

Public Sub 写邮件草稿()
    RunDuban "mail --drafts -w """ & Workspace() & """" & RoundOption(AskRound())
End Sub

Public Sub 收集报送()
    Dim folder As String
    folder = PickFolder("选择存放各单位退回文件的文件夹")
    If Len(folder) = 0 Then Exit Sub
    If MasterIsOpen() Then
        MsgBox "收集会改写总台账 master.xlsx，它现在正在 Excel 中打开。请先关闭它，收集完再打开。", vbExclamation, "督办"
        Exit Sub
    End If
    RunDuban "collect """ & folder & """ -w """ & Workspace() & """" & RoundOption(AskRound())
End Sub

Public Sub 输出汇总表()
    RunDuban "summary --pdf -w """ & Workspace() & """" & RoundOption(AskRound())
End Sub

Public Sub 查看看板()
    RunDuban "status --html """ & Workspace() & "\output\看板.html"" -w """ & Workspace() & """ && start """" """ & Workspace() & "\output\看板.html"""
End Sub
