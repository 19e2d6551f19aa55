from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "printing"
    verbose_name = "Printing"

    def ready(self) -> None:
        from documents import hooks
        from printing.services import version_print_on_commit

        hooks.register(hooks.version_written, version_print_on_commit)
