"""tracker: a claim and quote tracker for newsrooms.

Only the version lives here, so that ``tracker --help`` imports nothing heavy.
"""

__version__ = "0.1.0"

# Bumped whenever extraction output changes for the same text; stored on each
# article so an editor can tell which rules produced its quotes and claims.
EXTRACTOR_VERSION = "1"
