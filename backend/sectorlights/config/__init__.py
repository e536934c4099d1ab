"""Product configuration as data."""
