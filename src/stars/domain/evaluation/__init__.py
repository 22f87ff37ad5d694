"""The evaluation report of docs/tracker-format.md and the breakdowns charted beside it."""
