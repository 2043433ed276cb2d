"""Insight for managers: forecast accuracy, the projection's back-test, coverage and cost to
serve by grade, pipeline health."""
