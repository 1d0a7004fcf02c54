"""HTTP plumbing the REST API (:mod:`plexnav.api`) and the web pages (:mod:`plexnav.web`)
share: dependencies, error handling, the cached assessor, the sign-in throttle, mail, and
the account and education services both call.

Neither side imports the other's routes; both import this package, and it imports neither
(tests/test_import_direction.py).
"""
