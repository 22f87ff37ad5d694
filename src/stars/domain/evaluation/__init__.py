"""The evaluation report of tracker-format.md and the breakdowns charted beside it."""
