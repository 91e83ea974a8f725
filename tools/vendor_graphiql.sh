#!/usr/bin/env bash
# Refresh hub/graphiql/static from the npm registry: GraphiQL's UMD build and React 18's UMD builds, unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
(cd "$work" && npm pack --silent graphiql@3.9.0 react@18.3.1 react-dom@18.3.1 >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
target=hub/graphiql/static
cp "$work"/graphiql-3.9.0/package/graphiql.min.{js,css} "$target"/
cp "$work"/react-18.3.1/package/umd/react.production.min.js "$target"/
cp "$work"/react-dom-18.3.1/package/umd/react-dom.production.min.js "$target"/
{
  echo "graphiql 3.9.0 (npm): graphiql.min.js, graphiql.min.css"
  cat "$work"/graphiql-3.9.0/package/LICENSE
  echo
  echo "react 18.3.1 and react-dom 18.3.1 (npm): umd/*.production.min.js"
  cat "$work"/react-18.3.1/package/LICENSE
} > "$target"/LICENSES.txt
rm -rf "$work"
