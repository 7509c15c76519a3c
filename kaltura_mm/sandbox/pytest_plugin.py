"""pytest plugin (registered by entry point) giving users a ``kaltura_sandbox`` fixture."""
