"""bulletin: the round's 督查通报 draft (Word, PDF)."""
