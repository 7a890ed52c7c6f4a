"""The `briefing` command: a thin typer shell over the library, one module per command group.

`app` (commands for one article or episode: sections, script, normalize, build) registers the groups of
`check`, `publish` and `voices`; each command prints one line on error and exits 2.
"""
