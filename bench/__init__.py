"""The benchmark harness of xibu-hub: a national data generator, the front-end queries, a raw-SQL limit
server and a driver that measures the hub, the limit and PostGraphile side by side (issue 7)."""
