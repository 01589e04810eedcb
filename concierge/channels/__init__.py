"""Where guests' messages come from and replies go: Twilio (SMS, WhatsApp) and the built-in simulator."""
