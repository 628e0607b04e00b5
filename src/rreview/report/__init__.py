"""Reports: the structured report every engine produces, and its renderings."""
