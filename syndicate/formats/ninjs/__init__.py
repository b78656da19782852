"""The `ninjs` format: IPTC ninjs (news in JSON) 2.x or 3.x, one document per story variant."""
