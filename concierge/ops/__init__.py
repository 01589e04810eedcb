"""Operations: health, OpenTelemetry, alerts, releases, the dashboard, reports and evaluations."""
