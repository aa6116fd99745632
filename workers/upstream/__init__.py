"""Upstream platforms: the outside systems that assign items to the city and take its answers."""
