"""One router per resource family of the /v2 API."""
