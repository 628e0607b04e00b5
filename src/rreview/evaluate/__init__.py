"""The scorers behind `rreview eval`; the data (log + gold annotations) lives in evals/."""
