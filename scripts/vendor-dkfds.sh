#!/usr/bin/env bash
# Refresh the vendored copy of Det Fælles Designsystem (npm package `dkfds`) under
# api/static/dkfds/. Only the built CSS, the IBM Plex Sans woff2 files the CSS names and the
# small SVG icons the CSS points at are kept: a clean clone then serves the page with no npm,
# no network and no build step. Run by hand when upgrading; needs npm and the npm registry.
set -euo pipefail
VERSION="${1:-11.2.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/api/static/dkfds"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "dkfds@$VERSION" >/dev/null && tar xzf "dkfds-$VERSION.tgz")
SRC="$TMP/package/dist"

rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/fonts/IBMPlexSans/complete/woff2" "$DEST/img/svg-icons"
cp "$SRC/css/dkfds.min.css" "$DEST/css/"
# Current browsers all take woff2, so the eot/ttf fallbacks are left out. The Regular face
# lists its woff before its woff2, so browsers fetch that woff: keep it too.
mkdir -p "$DEST/fonts/IBMPlexSans/complete/woff"
grep -o 'complete/woff2/[A-Za-z-]*\.woff2' "$SRC/css/dkfds.min.css" | sort -u | while read -r f; do
    cp "$SRC/fonts/IBMPlexSans/$f" "$DEST/fonts/IBMPlexSans/$f"
done
cp "$SRC/fonts/IBMPlexSans/complete/woff/IBMPlexSans-Regular.woff" \
    "$DEST/fonts/IBMPlexSans/complete/woff/"
cp "$SRC/fonts/IBMPlexSans/complete/woff2/license.txt" "$DEST/fonts/IBMPlexSans/" 2>/dev/null \
    || cp "$SRC"/fonts/IBMPlexSans/*/woff/license.txt "$DEST/fonts/IBMPlexSans/license.txt"
cp "$SRC"/img/svg-icons/*.svg "$DEST/img/svg-icons/"
cp "$TMP/package/LICENSE.md" "$DEST/LICENSE.md"
echo "dkfds $VERSION" > "$DEST/VERSION"
echo "vendored dkfds $VERSION into $DEST"
