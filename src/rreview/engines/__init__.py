"""Engines write the prose of reports from computed facts; all share one small interface."""
