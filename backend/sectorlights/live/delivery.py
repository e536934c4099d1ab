"""Which live events this process's clients have been handed, so a worker thread can wait for them.

Why: the analysis runs in a thread of the serving process. An event it announces and the CPU-heavy
stage it goes straight on to (saving a run) compete for the interpreter with the fan-out of that
event to every `/ws` client, and at 1,000 clients the event then reached them hundreds of
milliseconds late. Waiting until the fan-out has handed the event to every client (bounded) costs
the run that long once per progress step and gives the clients the event first."""

from __future__ import annotations

import asyncio


class DeliveryTracker:
    """The highest seq this process's hub has offered to all of its clients; `wait` for one."""

    def __init__(self) -> None:
        self._offered_seq = 0
        self._active = False
        self._changed = asyncio.Event()

    def start(self, latest_seq: int) -> None:
        """The hub is fanning out from here on (seqs up to `latest_seq` need no fan-out)."""
        self._offered_seq = max(self._offered_seq, latest_seq)
        self._active = True

    def stop(self) -> None:
        """No hub: nobody waits for anything."""
        self._active = False
        self._changed.set()

    def offered(self, seq: int) -> None:
        if seq > self._offered_seq:
            self._offered_seq = seq
            self._changed.set()

    async def wait(self, seq: int) -> None:
        """Until the event `seq` has been offered to every client (at once when no hub runs)."""
        while self._active and self._offered_seq < seq:
            self._changed.clear()
            await self._changed.wait()
