"""The stylesheet inlined into every HTML page (pages stay standalone: one file plus images)."""

# Logical properties (margin-inline-start, border-inline-start) make one stylesheet serve
# left-to-right and right-to-left pages. Each script gets fonts made for it: Naskh for Arabic
# body text (Kufi/Sans for headings), Song/Ming serif for Chinese, and no faux italics in
# scripts that have none.
CSS = """\
:root {
  --ink: #1b1f24; --muted: #5b6470; --rule: #dde1e6; --paper: #fff;
  --accent: #c8102e; --navy: #1f3a5f; --tint: #f5f7fa;
  --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, "Noto Serif", Georgia, serif;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
    Arial, sans-serif;
  color-scheme: light dark;
}
:lang(ar), :lang(fa), :lang(ur) {
  --serif: "Noto Naskh Arabic", Amiri, "Geeza Pro", "Traditional Arabic", "Times New Roman",
    serif;
  --sans: "Noto Kufi Arabic", "Noto Sans Arabic", "Segoe UI", "Geeza Pro", Tahoma, sans-serif;
}
:lang(zh) {
  --serif: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", STSong, SimSun, serif;
  --sans: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6e8eb; --muted: #a2abb7; --rule: #3a4049; --paper: #14171b;
    --navy: #9cc0ea; --tint: #1d2127; }
  .brand img.logo { filter: brightness(0) invert(1); }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--paper); color: var(--ink); font-family: var(--serif);
  font-size: clamp(1.0625rem, 0.98rem + 0.35vw, 1.25rem); line-height: 1.65;
  font-kerning: normal; text-rendering: optimizeLegibility;
}
body:lang(ar) { line-height: 1.95; }
body:lang(zh) { line-height: 1.9; letter-spacing: 0.02em; }
.wrap { max-width: 42rem; margin: 0 auto; padding: 0 1.25rem; }
a { color: var(--navy); text-decoration-thickness: 1px; text-underline-offset: 0.18em; }
a:hover { color: var(--accent); }
.site-header { border-bottom: 1px solid var(--rule); border-top: 4px solid var(--accent); }
.site-header .wrap {
  display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding-block: 0.9rem; font-family: var(--sans); font-size: 0.85rem;
}
.brand {
  display: flex; align-items: center; gap: 0.6rem; color: var(--navy); text-decoration: none;
  font-family: var(--sans); font-size: 1.3rem; font-weight: 800; letter-spacing: -0.01em;
}
.brand img { display: block; width: 2rem; height: 2rem; border-radius: 4px; }
.brand img.logo { width: auto; height: 1.75rem; border-radius: 0; }
.site-header nav a { color: var(--muted); text-decoration: none; }
.kicker {
  margin: 2.5rem 0 0.5rem; font-family: var(--sans); font-size: 0.8rem; font-weight: 700;
  letter-spacing: 0.08em; text-transform: uppercase; color: var(--accent);
}
:lang(ar) .kicker, :lang(zh) .kicker { letter-spacing: 0; font-size: 0.9rem; }
h1, h2, h3, h4 { font-family: var(--sans); line-height: 1.2; color: var(--ink); }
h1 {
  margin: 0 0 0.75rem; font-size: clamp(1.9rem, 1.3rem + 2.6vw, 2.85rem); font-weight: 800;
  letter-spacing: -0.015em; text-wrap: balance;
}
:lang(ar) h1, :lang(zh) h1 { letter-spacing: 0; font-weight: 700; }
h1:lang(ar), h2:lang(ar), h3:lang(ar), h1:lang(zh) { line-height: 1.45; }
.dek { margin: 0 0 0.75rem; font-family: var(--sans); font-size: 1.2rem; color: var(--muted); }
.summary { margin: 0 0 1.25rem; font-size: 1.2em; line-height: 1.5; color: var(--ink); }
.summary:lang(ar) { line-height: 1.8; }
.meta {
  display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0 0 2rem;
  padding-block: 0.75rem; border-block: 1px solid var(--rule);
  font-family: var(--sans); font-size: 0.85rem; color: var(--muted);
}
.meta p { margin: 0; }
.byline { font-weight: 700; color: var(--ink); }
.body p { margin: 0 0 1.15em; }
.body h2 { margin: 2.2rem 0 0.8rem; font-size: 1.35rem; }
.body h3 { margin: 1.8rem 0 0.6rem; font-size: 1.15rem; }
.body blockquote {
  margin: 1.75rem 0; padding: 0.25rem 0 0.25rem 1.25rem; padding-inline: 1.25rem 0;
  border-inline-start: 3px solid var(--accent); font-style: italic; color: var(--ink);
}
.body blockquote p { margin: 0 0 0.6em; }
:lang(ar) em, :lang(ar) blockquote, :lang(zh) em, :lang(zh) blockquote { font-style: normal; }
:lang(zh) em { font-weight: 700; }
.body ul, .body ol { padding-inline-start: 1.5rem; }
figure { margin: 2rem 0; }
figure img {
  display: block; width: 100%; height: auto; background: var(--tint);
  border: 1px solid var(--rule);
}
figcaption {
  margin-top: 0.6rem; font-family: var(--sans); font-size: 0.85rem; line-height: 1.5;
  color: var(--muted);
}
figcaption .credit { display: block; margin-top: 0.2rem; font-size: 0.95em; opacity: 0.85; }
hr { border: 0; border-top: 1px solid var(--rule); margin: 2rem 0; }
code { font-size: 0.9em; }
.correction {
  margin: 2rem 0; padding: 1rem 1.25rem; background: var(--tint);
  border-inline-start: 4px solid var(--accent); font-family: var(--sans); font-size: 0.95rem;
}
.correction h2 { margin: 0 0 0.3rem; font-size: 0.95rem; color: var(--accent); }
.correction p { margin: 0; }
.more { margin: 2.5rem 0 0; padding-top: 1.25rem; border-top: 1px solid var(--rule); }
.more h2 {
  margin: 0 0 0.6rem; font-size: 0.8rem; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--muted);
}
:lang(ar) .more h2, :lang(zh) .more h2 { letter-spacing: 0; font-size: 0.9rem; }
.more ul { margin: 0; padding: 0; list-style: none; font-family: var(--sans); }
.more li { margin: 0 0 0.4rem; }
.translations ul { display: flex; flex-wrap: wrap; gap: 0.4rem 0.6rem; }
.translations a {
  display: inline-block; padding: 0.2rem 0.7rem; border: 1px solid var(--rule);
  border-radius: 999px; text-decoration: none; font-size: 0.9rem;
}
.translations a:hover { border-color: var(--accent); }
.site-footer {
  margin-top: 3rem; padding-block: 1.5rem 3rem; border-top: 1px solid var(--rule);
  background: var(--tint); font-family: var(--sans); font-size: 0.8rem; color: var(--muted);
}
.site-footer p { margin: 0 0 0.4rem; }
.site-footer a { color: var(--muted); }
.stories { margin: 0 0 2rem; padding: 0; list-style: none; }
.stories li { padding: 1.25rem 0; }
.stories li + li { border-top: 1px solid var(--rule); }
.index-title { margin: 2.5rem 0 0.5rem; }
.stories h2, .stories h3 { margin: 0.2rem 0 0.4rem; font-size: 1.35rem; }
.stories h2 a, .stories h3 a { color: var(--ink); text-decoration: none; }
.stories h2 a:hover, .stories h3 a:hover { color: var(--accent); }
.stories p { margin: 0 0 0.4rem; }
.stories .kicker { margin: 0; }
.stories time { font-family: var(--sans); font-size: 0.8rem; color: var(--muted); }
.language { margin: 2.5rem 0 0; }
.language > h2 { margin: 0 0 0.25rem; font-size: 1rem; color: var(--muted); }
"""
