"""The GraphQL layer: core types, connections, DataLoaders, core queries and the volunteer's mutations."""
