"""The plugin errors: loading one failed, starting one failed, or a service is missing."""


class PluginError(Exception):
    """A plugin could not be used; the message names it."""


class PluginResolutionError(PluginError):
    """A configured plugin cannot be imported, or what it names is not a plugin."""


class PluginServiceError(PluginError):
    """A service lookup or registration failed (a missing service, a name taken twice)."""
