"""The `gonghui` console command: Django's management commands under the project's name.

`gonghui demo`, `gonghui audit verify`, `gonghui token create --user NAME`, `gonghui keys rotate`,
`gonghui backup FILE`, `gonghui serve` … are management commands in the apps; this only points
Django at the settings.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gonghui", *sys.argv[1:]])


if __name__ == "__main__":
    main()
