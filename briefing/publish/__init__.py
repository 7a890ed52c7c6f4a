"""Publish stage: the episode library of an output folder, its RSS feed and web pages, serving, and
delivery to a playout system.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.publish.deliver": ("check_delivery", "deliver"),
    "briefing.publish.feed": ("NAMESPACES", "podcast_guid"),
    "briefing.publish.library": (
        "locked",
        "number_reserved",
        "planned_identity",
        "publish_episode",
        "regenerate_feed",
        "release_number",
        "remove_episode",
        "reserve_number",
    ),
    "briefing.publish.numbers": ("Reservation",),
    "briefing.publish.pages": ("page_name", "render_site", "sweep_pages", "write_site"),
    "briefing.publish.records": ("EpisodeRecord", "Library", "read_library"),
    "briefing.publish.loudness": ("Target", "by_target", "describe", "refuse_mixed_loudness"),
    "briefing.publish.serve": ("make_server",),
    "briefing.publish.staging": ("record_replaced", "staging_folder"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.publish.deliver import check_delivery as check_delivery, deliver as deliver
    from briefing.publish.feed import NAMESPACES as NAMESPACES, podcast_guid as podcast_guid
    from briefing.publish.library import (
        locked as locked,
        number_reserved as number_reserved,
        planned_identity as planned_identity,
        publish_episode as publish_episode,
        regenerate_feed as regenerate_feed,
        release_number as release_number,
        remove_episode as remove_episode,
        reserve_number as reserve_number,
    )
    from briefing.publish.loudness import (
        Target as Target,
        by_target as by_target,
        describe as describe,
        refuse_mixed_loudness as refuse_mixed_loudness,
    )
    from briefing.publish.numbers import Reservation as Reservation
    from briefing.publish.pages import (
        page_name as page_name,
        render_site as render_site,
        sweep_pages as sweep_pages,
        write_site as write_site,
    )
    from briefing.publish.records import (
        EpisodeRecord as EpisodeRecord,
        Library as Library,
        read_library as read_library,
    )
    from briefing.publish.serve import make_server as make_server
    from briefing.publish.staging import record_replaced as record_replaced, staging_folder as staging_folder
