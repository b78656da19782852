"""syndicate: write a story once, in several languages, and publish it to every channel."""

__version__ = "0.1.0"
