"""The command line: wiring only. Heavy libraries are imported inside the commands using them."""
