"""The staff web console at ``/admin/``: server-rendered pages over the API's own services.

``smartapp.console.extension.init_app`` attaches it to an app; the pages plugins give it
(``Plugin.console_pages``) are served by ``smartapp.console.plugin_pages``.
"""
