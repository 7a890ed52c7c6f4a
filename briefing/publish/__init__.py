"""Publish stage: the episode library of an output folder, its RSS feed, serving and validation.

    from briefing.publish.library import publish_episode

    record = publish_episode(out_dir, show, info, key="article-slug/2025-08-15")

Submodules are imported where used, so importing this package stays cheap.
"""
