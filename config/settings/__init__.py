"""Settings for the client portal: every knob from the environment.

`.env.example` lists every variable. With none set the project runs embedded:
SQLite, files on the local disk, e-mail printed to the console, tasks run
immediately. One module per concern, read in this order (each may use what
the ones before it settled, through `config.settings.base`):

- `base`: mode, secret key, hosts, the portal's address, apps, middleware;
- `data`: the database and the shared cache;
- `files`: static files, public media, private documents;
- `services`: e-mail, background tasks, Stripe, the sealing certificate;
- `security`: sign-in limits, HTTPS, headers, the Content-Security-Policy;
- `portal`: the portal's own limits, its live pages, and logging.
"""

from config.settings.base import *  # noqa: F403
from config.settings.data import *  # noqa: F403
from config.settings.files import *  # noqa: F403
from config.settings.portal import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.services import *  # noqa: F403
