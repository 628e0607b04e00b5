"""Analyses: every number a report states is computed here, in code, never by a model."""
