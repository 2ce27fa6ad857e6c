"""Aggregates, events, value objects and rules of zone appraisal; imports nothing of ours."""
