"""The log: files as the user keeps them, read into entries and items."""
