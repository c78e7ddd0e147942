"""The city portal: server-rendered pages for residents, journalists and staff.

A transport like ``api`` and ``graphql``: every page reads the same domain services
the JSON API calls, so no rule or query exists twice. Texts live in the message
catalogues of ``messages/``, templates in ``templates/``, the stylesheet in ``static/``.
"""
