"""The rule catalog (TOML data). Installed as the package ``matderiv.rules``."""
