"""Hand-off to human staff."""
