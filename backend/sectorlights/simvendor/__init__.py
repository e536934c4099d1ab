"""Development tooling: the simulated market served as a fake vendor, for demos, tests and benchmarks.

`vendor` serves it over HTTP in Polygon/Massive's and FMP's response shapes (`sectorlights
sim-vendor`), with `payloads` and `reference` building the rows and `faults` injecting failures;
`mcp_server` stands in for Polygon's MCP server (`python -m sectorlights.simvendor.mcp_server`), with
`mcp_format` holding that server's JSON-to-CSV rules and `docs_index` the API docs index its endpoint
allowlist is built from (which the vendor serves too). The vendor clients live in `providers/`; this
package only imitates the vendors they talk to, on top of the simulated market in
`providers/simulated/`.
"""
