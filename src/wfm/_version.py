"""Version of the ``openwfm`` distribution (import name ``wfm``)."""

__version__ = "0.1.0"
