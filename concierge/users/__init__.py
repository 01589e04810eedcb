"""People who sign in to the web pages (owners, staff, admins): accounts, passwords, and the properties they may see."""
