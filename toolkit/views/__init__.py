"""What the clerk sees: terminal tables, the round status, the dashboard. They read, never write state."""
