"""The development identity provider: demo and test mode only.

``start_dev_idp(settings)`` serves, on its own port, two OpenID Connect
issuers (``/city`` and ``/bank``: one demo person is known to both under two
subjects with one tax number) and a stand-in for ID.GOV.UA (``/idgovua``).
It refuses to start in any other mode.

It is a development tool that sits beside the app, not part of it: ``auth``
holds only the identity code that runs in production, and nothing the app
serves imports this package (an import contract says so); ``hromada demo``
and the tests start it.
"""

from hromada.devidp.app import DevIdp, start_dev_idp

__all__ = ["DevIdp", "start_dev_idp"]
