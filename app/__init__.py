"""xqbadges: Open Badges 3.0 credentials for the XQ Math Badging System."""

__version__ = "0.1.0"
