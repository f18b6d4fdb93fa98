"""Adapters: the only modules that use private names of the SDK or of Textual."""
