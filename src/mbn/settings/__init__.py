"""One settings package for every environment; each module covers one concern (ARCHITECTURE §13)."""

from .cache_celery import *  # noqa: F403
from .core import *  # noqa: F403
from .database import *  # noqa: F403
from .observability import *  # noqa: F403
from .security import *  # noqa: F403
from .tenancy import *  # noqa: F403

# isort: split
# Last: login settings extend the app, middleware and template lists defined above.
from .auth import *  # noqa: F403
