#!/usr/bin/env bash
# Refresh the vendored copy of Swagger UI (npm package `swagger-ui-dist`, Apache-2.0) under
# api/vendor/swagger-ui/, which /docs serves: the bundle, its CSS and the licence, pinned to
# one version with sha256 sums (tests/api/test_docs.py checks them), so a clean clone shows
# /docs with no npm, no network and nothing from other hosts. Run by hand when upgrading;
# needs npm and the npm registry.
set -euo pipefail
VERSION="${1:-5.35.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/api/vendor/swagger-ui"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null \
    && tar xzf "swagger-ui-dist-$VERSION.tgz")
SRC="$TMP/package"

rm -rf "$DEST"
mkdir -p "$DEST"
cp "$SRC/swagger-ui-bundle.js" "$SRC/swagger-ui.css" "$SRC/LICENSE" "$DEST/"
# Source-map comments name files we do not ship; drop them so browsers' developer tools
# do not ask the server for them.
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/swagger-ui-bundle.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$DEST/swagger-ui.css"
echo "swagger-ui-dist $VERSION" > "$DEST/VERSION"
(cd "$DEST" && sha256sum swagger-ui-bundle.js swagger-ui.css LICENSE > SHA256SUMS)
echo "vendored swagger-ui-dist $VERSION into $DEST"
