"""Identity: logins, sessions, roles and API keys."""

from hromada.domain import Domain

DOMAIN = Domain(
    name="auth",
    piccolo_app="hromada.auth.piccolo_app",
    rest=("hromada.api.auth",),
    graphql="hromada.graphql.auth",
)
