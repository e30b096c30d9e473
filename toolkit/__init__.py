"""duban (督办): the reporting round trip of a government supervision office (督查室).

The package is a library first; `toolkit.cli` is a thin command line over it.
"""

__version__ = "0.1.0"
