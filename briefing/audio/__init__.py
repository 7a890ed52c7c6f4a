"""Sound: jingles, assembly, mastering, encoding."""
