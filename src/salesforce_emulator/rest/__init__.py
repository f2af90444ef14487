"""REST API of the emulated org."""
