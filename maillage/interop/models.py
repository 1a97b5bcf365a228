"""Open data: resources of the territory imported from data·inclusion files."""
