"""Pure rules, no I/O: schema, model, rounds, assignments, status, findings, text, dates, signing."""
