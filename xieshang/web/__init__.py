"""The HTTP layer around the GraphQL schema: middleware, observability (/readyz, /metrics, logs),
spreadsheet downloads and the offline GraphiQL page. :mod:`xieshang.server` assembles them."""
