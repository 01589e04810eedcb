"""The test suite: its folders mirror the packages they test (docs/architecture.md)."""
