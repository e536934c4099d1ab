"""The kernel every layer may use: where "now" comes from and the asyncio task helpers."""
