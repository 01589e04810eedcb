"""Properties and their versioned knowledge base."""
