"""Validation of inputs and outputs: JSON Schemas of our own, and each format's validators."""
