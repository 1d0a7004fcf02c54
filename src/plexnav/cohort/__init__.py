"""Cohort work outside the engine: the long findings table, simulated cohorts, and scoring
a table on Dask partitions with the engine's vectorised cohort scoring."""
