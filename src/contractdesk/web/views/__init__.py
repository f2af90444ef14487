"""Views of the web UI, one module per area: requests, records and the sync monitor."""
