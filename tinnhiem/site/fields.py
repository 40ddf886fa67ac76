"""Model fields that store NFC text whatever path the value came by (form, import, command line)."""

from __future__ import annotations

from django.db import models

from tinnhiem.text import clean_block, clean_line


class NFCCharField(models.CharField):
    """A one-line text: NFC, trimmed, inner white space collapsed."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = clean_line(value)
            setattr(model_instance, self.attname, value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return clean_line(value) if isinstance(value, str) else value


class NFCTextField(models.TextField):
    """A multi-line text: NFC, unified line endings."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = clean_block(value)
            setattr(model_instance, self.attname, value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return clean_block(value) if isinstance(value, str) else value
