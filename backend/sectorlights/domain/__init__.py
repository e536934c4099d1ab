"""Typed values shared by every layer; no I/O."""
