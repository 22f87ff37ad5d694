"""The web site as a whole: the root URLconf, which includes every app's pages."""
