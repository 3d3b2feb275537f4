"""`makemessages` without fuzzy matching: a guessed translation of a new string is worse than
none (the catalog test then names the string to translate instead of shipping a wrong one)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
