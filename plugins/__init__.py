"""The built-in office plugins, one package per level, registered through the `xibu_hub.plugins` entry points."""
