"""The only code that talks to market-data vendors."""
