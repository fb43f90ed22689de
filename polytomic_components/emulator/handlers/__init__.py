"""Request handlers: one module per API area, each turning a ``Request`` into a ``Response``.

Handlers talk to the ``Store`` and never to SQL or sockets; the server maps routes onto them
(see ``server.ROUTES``) and turns ``ApiError`` into Polytomic's error body.
"""
