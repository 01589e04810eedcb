"""Local fakes of third-party services, served on loopback for tests."""
