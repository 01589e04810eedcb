"""End-to-end tests: the real server process, real HTTP, a local fake of the Twilio REST API."""
