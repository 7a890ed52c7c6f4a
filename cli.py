"""Run `briefing` from a checkout: `python cli.py …` is the same as the installed `briefing` command."""

from briefing.cli.app import main

if __name__ == "__main__":
    main()
