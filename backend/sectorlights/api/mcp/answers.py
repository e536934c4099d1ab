"""What every tool shares: its answer (the API's model as structured content, a short summary as
text), the hints of a read-only tool, and numbers written for the summaries."""

from __future__ import annotations

from typing import Any

from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

# Reads what the latest analysis stored; changes nothing and calls no vendor.
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def answer(body: BaseModel | dict[str, Any], summary: str) -> CallToolResult:
    """The API's model (or the API's own JSON document) as structured content, the summary as text."""
    structured = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return CallToolResult(content=[TextContent(type="text", text=summary)], structured_content=structured)


def signed_pct(value: float | None) -> str:
    """`+1.23%`, or `n/a` for a missing figure."""
    return "n/a" if value is None else f"{value:+.2f}%"


def listed(symbols: list[str]) -> str:
    return ", ".join(symbols) if symbols else "none"
