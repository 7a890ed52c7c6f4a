"""Many shows in one run, from files, URLs and news feeds, on Dask distributed (`briefing[batch]`).

    from briefing.batch import load_plan, run_batch

    report = run_batch(load_plan("plan.toml"))             # a LocalCluster, one worker per core
    report = run_batch(plan, scheduler="tcp://host:8786")  # an existing cluster

`plan` reads the plan file, `feeds` the RSS and Atom feeds, `tasks` is what a worker runs, `run` the
orchestration. Only `run` needs `distributed`.
"""

from __future__ import annotations

from .feeds import FeedItem, parse_feed, read_feed, select_items
from .plan import FeedSource, Plan, ShowPlan, check_plan, load_plan, parse_plan
from .run import BatchReport, ShowReport, gather, run_batch
from .tasks import EpisodeJob, EpisodeOutcome, build_job, build_planned, check_article, plan_jobs

__all__ = [
    "BatchReport",
    "EpisodeJob",
    "EpisodeOutcome",
    "FeedItem",
    "FeedSource",
    "Plan",
    "ShowPlan",
    "ShowReport",
    "build_job",
    "build_planned",
    "check_article",
    "check_plan",
    "gather",
    "load_plan",
    "parse_feed",
    "parse_plan",
    "plan_jobs",
    "read_feed",
    "run_batch",
    "select_items",
]
