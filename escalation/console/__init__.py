"""The staff console: the queue, conversations, settings and trace pages."""
