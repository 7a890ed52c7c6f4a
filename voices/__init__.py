"""Voice profiles, pronunciation lexicons and jingles shipped with briefing.

This folder sits at the top of the repository and is installed as the package data `briefing.voices`
(see pyproject.toml), found at run time with `importlib.resources`.
"""
