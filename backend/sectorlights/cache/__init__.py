"""The current-state cache: one interface, an in-process and a Redis implementation."""
