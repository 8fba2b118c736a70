"""The plugin registry, hooks and run-time settings (the core's side of ``smartapp.plugin``)."""
