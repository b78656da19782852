"""The build engine: `export` reads the stories, runs the formats' writers and publishes out/
atomically, redoing only what changed (`engine`). Its parts: what a build reads and how inputs
are named by hash (`inputs`), what it keeps between runs (`state`), the per-story work and its
worker processes (`workers`), and the staging, lock and atomic swap of out/ (`publish`)."""

from syndicate.build.engine import ExportResult, Interrupted, Progress, Timing, export

__all__ = ["ExportResult", "Interrupted", "Progress", "Timing", "export"]
