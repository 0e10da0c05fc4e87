"""What several bot processes on one database share: send budgets and start-up tasks."""
