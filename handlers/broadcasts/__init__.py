"""Admin broadcasts: composing (/siaran, `pendamping broadcast`), delivering and their figures."""
