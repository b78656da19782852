"""The tags of IANA's Language Subtag Registry that are whole tags rather than subtags
(RFC 5646, 2.2.8 and 3.1.8): the grandfathered ones, which BCP 47's syntax cannot read
(`i-klingon`, `art-lojban`), and the redundant ones it replaced, each with its
"Preferred-Value", the tag to write instead (None: the registry gives none). Copied as the
registry has them (its entries of these two types have not changed since 2015); syndicate
accepts none of these tags as they are, and says which to write."""

GRANDFATHERED: dict[str, str | None] = {
    "art-lojban": "jbo",
    "cel-gaulish": None,  # the registry: "see xcg, xga, xtg"
    "en-GB-oed": "en-GB-oxendict",
    "i-ami": "ami",
    "i-bnn": "bnn",
    "i-default": None,
    "i-enochian": None,
    "i-hak": "hak",
    "i-klingon": "tlh",
    "i-lux": "lb",
    "i-mingo": None,
    "i-navajo": "nv",
    "i-pwn": "pwn",
    "i-tao": "tao",
    "i-tay": "tay",
    "i-tsu": "tsu",
    "no-bok": "nb",
    "no-nyn": "nn",
    "sgn-BE-FR": "sfb",
    "sgn-BE-NL": "vgt",
    "sgn-CH-DE": "sgg",
    "zh-guoyu": "cmn",
    "zh-hakka": "hak",
    "zh-min": None,  # the registry: "see cdo, cpx, czo, mnp, nan"
    "zh-min-nan": "nan",
    "zh-xiang": "hsn",
}

REDUNDANT: dict[str, str] = {
    "sgn-BR": "bzs",
    "sgn-CO": "csn",
    "sgn-DE": "gsg",
    "sgn-DK": "dsl",
    "sgn-ES": "ssp",
    "sgn-FR": "fsl",
    "sgn-GB": "bfi",
    "sgn-GR": "gss",
    "sgn-IE": "isg",
    "sgn-IT": "ise",
    "sgn-JP": "jsl",
    "sgn-MX": "mfs",
    "sgn-NI": "ncs",
    "sgn-NL": "dse",
    "sgn-NO": "nsl",
    "sgn-PT": "psr",
    "sgn-SE": "swl",
    "sgn-US": "ase",
    "sgn-ZA": "sfs",
    "zh-cmn": "cmn",
    "zh-cmn-Hans": "cmn-Hans",
    "zh-cmn-Hant": "cmn-Hant",
    "zh-gan": "gan",
    "zh-wuu": "wuu",
    "zh-yue": "yue",
}
"""The redundant tags the registry deprecates, those with a Preferred-Value (the others,
`zh-Hant`, `sr-Latn`, `es-419`, are tags as any other)."""
