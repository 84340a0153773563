"""``python -m collabsim``: the same as the ``collabsim`` command."""

from collabsim.cli import main

main()
