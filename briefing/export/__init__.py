"""Export stage: episode files from a Timeline (ID3 tags, transcripts, chapters, cover, BWF).

Submodules are imported where used, so importing this package stays cheap.
"""
