"""Many shows in one run, from files, URLs and news feeds, on Dask distributed (`briefing[batch]`).

    from briefing.batch import load_plan, run_batch

    report = run_batch(load_plan("plan.toml"))             # a LocalCluster, one worker per core
    report = run_batch(plan, scheduler="tcp://host:8786")  # an existing cluster

`plan` reads the plan file, `feeds` the RSS and Atom feeds, `sources` gathers what each show will
build, `tasks` is what a worker runs, `run` the orchestration. Only `run` and `tasks` need
`distributed`, and only once they run. The names below are the package's public surface; each loads
its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.batch.plan": ("FeedSource", "Plan", "ShowPlan", "check_plan", "load_plan", "parse_plan"),
    "briefing.batch.feeds": ("FeedItem", "parse_feed", "read_feed", "select_items"),
    "briefing.batch.tasks": (
        "EpisodeJob",
        "EpisodeOutcome",
        "build_job",
        "build_planned",
        "check_article",
        "plan_jobs",
    ),
    "briefing.batch.sources": ("ShowJobs", "gather"),
    "briefing.batch.run": ("BatchReport", "ShowReport", "run_batch"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.batch.feeds import (
        FeedItem as FeedItem,
        parse_feed as parse_feed,
        read_feed as read_feed,
        select_items as select_items,
    )
    from briefing.batch.plan import (
        FeedSource as FeedSource,
        Plan as Plan,
        ShowPlan as ShowPlan,
        check_plan as check_plan,
        load_plan as load_plan,
        parse_plan as parse_plan,
    )
    from briefing.batch.run import (
        BatchReport as BatchReport,
        ShowReport as ShowReport,
        run_batch as run_batch,
    )
    from briefing.batch.sources import ShowJobs as ShowJobs, gather as gather
    from briefing.batch.tasks import (
        EpisodeJob as EpisodeJob,
        EpisodeOutcome as EpisodeOutcome,
        build_job as build_job,
        build_planned as build_planned,
        check_article as check_article,
        plan_jobs as plan_jobs,
    )
