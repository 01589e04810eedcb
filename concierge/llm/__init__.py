"""Answer generation: the provider router and the offline grounded responder."""
