"""The commands of `hub` that run a whole hub from a shell (`hub import`, `hub events`, `hub worker`): they
sit above the packages they drive (hub.exchange, hub.events) and hub.runtime, which those packages never import."""
