"""The ASGI application as the live test serves it: the project's own, with
static files served beside it (the production server's WhiteNoise stands in
here for nothing the test looks at: only the page's scripts)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
