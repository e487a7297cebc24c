"""Our CAS server (django-cas-server over `Account`) and the CAS client every host logs in through."""
