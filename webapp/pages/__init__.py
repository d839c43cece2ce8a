"""One Dash Pages module per screen; each exposes `layout(client_id=None, lang=None, **query)`.

Dash imports these files itself (`use_pages=True`); tests import the plain
functions of `webapp.services` and `webapp.figures` instead.
"""
