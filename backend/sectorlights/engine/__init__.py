"""Providers -> analytics -> storage and cache: runs, freshness, the refresh loop."""
