"""`syndicate serve`: out/ over HTTP as partners and browsers see it (`app`), or with `--watch`
a preview of the site exported again at each change, embargoed stories included and marked
(`preview`); bearer tokens for partner-only folders (`options`); uvicorn runs it (`server`)."""
