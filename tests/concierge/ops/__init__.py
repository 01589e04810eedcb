"""Tests of concierge/ops: alerts, releases, the dashboard, evals, reports, OpenTelemetry, backpressure."""
