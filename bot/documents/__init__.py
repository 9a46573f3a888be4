"""Documents the office hands out, rendered as files (pure: data in, bytes out)."""
