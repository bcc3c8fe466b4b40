"""Running the rule plugins: finding and loading them (:mod:`.registry`), loading the facts of
the subjects of a scope in bulk (:mod:`.facts`) and evaluating standards (:mod:`.run`).

None of this is part of the plugin contract (:mod:`xieshang.rules`); plugin authors never
import it.
"""
