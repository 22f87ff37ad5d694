"""Placement sufficiency from a council's SSDA903 returns: codes, figures, forecast and its
backtest."""
