"""Errors the CLI turns into messages and exit codes."""


class UsageError(Exception):
    """Bad command-line input or setup (unknown names, bad values, missing
    binaries). The CLI prints the message and exits with status 2."""
