"""Shared test helpers: recording fakes and drivers for the local chat."""
