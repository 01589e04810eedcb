"""One-off tools and benchmarks."""
