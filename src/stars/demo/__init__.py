"""The demo programme: synthetic data loaded through the same services as real data."""
