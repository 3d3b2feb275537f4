"""The structured body of an outgoing document: the shared parser of office.typeset.body."""

from office.typeset.body import Block, attachment_names, heading_level, parse

__all__ = ["Block", "attachment_names", "heading_level", "parse"]
