"""Pure services: policy and data in, decisions out; no I/O, so they test without an engine."""
