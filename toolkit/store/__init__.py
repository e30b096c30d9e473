"""What lasts between commands: the workspace, duban.toml, the ledger, master.xlsx, units.xlsx, files."""
