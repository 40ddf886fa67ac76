"""Vietnamese numbers grouped by thousands with a dot ("10.000"), as official texts write them.

Django's Vietnamese formats give the separator but no grouping, so a number asked for grouped
(``tinnhiem.i18n.grouped``) came out "10000". Grouping stays off where nothing asks for it
(``USE_THOUSAND_SEPARATOR`` is not set): counts on the pages and in the minutes are unchanged."""

NUMBER_GROUPING = 3
