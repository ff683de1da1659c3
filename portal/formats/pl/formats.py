# Only what differs from Django's Polish formats; Django's module supplies the rest, among
# them the genitive DATE_FORMAT "j E Y" ("13 grudnia 2026").
# Django writes short dates "13-12-2026" (and two spaces before the time); the Polish norm,
# and our translation review, want dots, as in Russian and English here.
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
