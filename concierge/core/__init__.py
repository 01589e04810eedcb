"""The core: settings (the only reader of the environment), database, errors, clock, logs and metrics."""
