"""`python -m briefing` is the `briefing` command."""

from briefing.cli.app import main

main()
