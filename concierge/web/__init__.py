"""Shared web pieces: sign-in, rendering, templates and static files, and the `users` command."""
