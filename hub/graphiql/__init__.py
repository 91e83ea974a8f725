"""GraphiQL served from the hub itself, for offices whose network has no way out.

The page is GraphiQL's own npm build (graphiql 3.9.0's UMD bundle and stylesheet, with React 18's UMD
builds), copied unchanged from the npm packages into `static/` with their licences (LICENSES.txt;
`tools/vendor_graphiql.sh` refreshes them). Nothing on the page is loaded from anywhere but the hub:
strawberry's own GraphiQL page takes its scripts from a public CDN and stays blank offline."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
PREFIX = "/graphiql/static"

PAGE = f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>西部计划数据中心 · GraphiQL</title>
  <link rel="stylesheet" href="{PREFIX}/graphiql.min.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
  <div id="graphiql">正在加载 GraphiQL……</div>
  <script src="{PREFIX}/react.production.min.js"></script>
  <script src="{PREFIX}/react-dom.production.min.js"></script>
  <script src="{PREFIX}/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: window.location.pathname }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultHeaders: '{{"Authorization": "Bearer <token>"}}',
      }})
    );
  </script>
</body>
</html>
"""


def page() -> str:
    """The GraphiQL page, every asset from PREFIX."""
    return PAGE


def static_mount() -> Mount:
    """The route of the GraphiQL assets."""
    return Mount(PREFIX, app=StaticFiles(directory=STATIC), name="graphiql-static")
