"""The staff web console at ``/admin/``: server-rendered pages over the API's own services.

``smartapp.console.extension.init_app`` attaches it to an app; ``pages`` holds what plugins
give it (re-exported to plugin authors by ``smartapp.plugin``).
"""
