"""Push notifications to citizens' phones (the delivery end: the gateway)."""
