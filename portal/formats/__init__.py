"""The site's date and time formats, one per language, used everywhere through Django's named
formats (``DATE_FORMAT``, ``DATETIME_FORMAT``, ``TIME_FORMAT``): the same session reads the same
on every page, in every email and in the registration form (``FORMAT_MODULE_PATH``)."""
