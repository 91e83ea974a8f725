"""Pure functions of the plan: no database, no GraphQL; unit-tested at their boundaries."""
