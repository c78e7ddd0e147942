"""The GraphQL transport (strawberry). Thin: types and resolvers over domain services."""
