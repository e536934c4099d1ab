"""What an authenticated connection holds on to: its user and which of the user's tokens it used.

A `/ws` socket outlives the request that opened it, so it remembers both: when the user is removed
or the token rotated, the pair is no longer current and the socket is closed (live/hub.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserCredential:
    """`token_sha256` is the stored digest of the token, never the token itself."""

    user: str
    token_sha256: str
