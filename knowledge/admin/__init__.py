"""The owner's admin pages: knowledge editing, reservations, previews."""
