"""The guest concierge: answers guests from the property's knowledge base, hands off to staff."""
