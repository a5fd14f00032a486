"""The serving process around the pages: warm-up, compressed static files (see `main`)."""
