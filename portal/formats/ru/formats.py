# Only what differs from Django's Russian formats; Django's module supplies the rest, among
# them the genitive DATE_FORMAT "j E Y г." ("13 декабря 2026 г.").
# A day with a month needs the genitive: Django's "j F" would print "13 Декабрь".
MONTH_DAY_FORMAT = "j E"
# One clock everywhere: Django mixes "9:05" (TIME, DATETIME) with "09:05" (SHORT_DATETIME).
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г. H:i"
