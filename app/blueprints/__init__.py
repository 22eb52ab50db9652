"""One blueprint per area of the sales office."""
