"""Uploads in the browser: a tracker (provider manager, admin) or a council's SSDA903 returns
(council users, admin), kept under ``STARS_HOME/uploads/`` with who loaded them and when, and
imported by a background job through the same services as the command line."""
