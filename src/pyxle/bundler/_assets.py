"""The files a build imports as URLs: one list for the bundler's loaders and ``pyxle typecheck``'s declarations."""

from __future__ import annotations

# Imported files esbuild copies out and links to (its "file" loader: build.mjs gets this list in
# the plan): images, media, fonts, PDFs and web manifests, as Vite's defaults, each in lower and
# upper case (a camera's PHOTO.JPG: esbuild's loaders are named by the suffix as written).
# ``pyxle typecheck`` declares each as a module whose default export is a URL.
_ASSETS = (".apng", ".avif", ".bmp", ".gif", ".ico", ".jfif", ".jpeg", ".jpg", ".png", ".svg", ".webp",
           ".aac", ".flac", ".m4a", ".mov", ".mp3", ".mp4", ".ogg", ".opus", ".vtt", ".wav", ".webm",
           ".eot", ".otf", ".ttf", ".woff", ".woff2", ".pdf", ".webmanifest")
FILE_ASSETS = (*_ASSETS, *(suffix.upper() for suffix in _ASSETS))

# Vite's import queries the bundler takes (build.mjs ``QUERY_LOADERS``): ``?raw`` the file's text,
# ``?url`` its URL, ``?inline`` a data: URL; each import's default export is a string.
IMPORT_QUERIES = ("?raw", "?url", "?inline")
