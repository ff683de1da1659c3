import datetime

import factory
from factory.django import DjangoModelFactory

from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval


class BusinessCalendarFactory(DjangoModelFactory):
    class Meta:
        model = BusinessCalendar
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    timezone = "Europe/Warsaw"
    always_open = False

    class Params:
        # Mon–Fri 09:00–18:00 plus Christmas Day 2026: the usual office.
        office = factory.Trait(
            hours=factory.RelatedFactoryList(
                "channels_app.tests.factories.OpeningIntervalFactory",
                factory_related_name="calendar",
                size=5,
                weekday=factory.Iterator(range(5)),
                start_minute=9 * 60,
                end_minute=18 * 60,
            ),
            christmas=factory.RelatedFactory(
                "channels_app.tests.factories.HolidayFactory",
                factory_related_name="calendar",
                date=datetime.date(2026, 12, 25),
                name="Christmas Day",
            ),
        )


class OpeningIntervalFactory(DjangoModelFactory):
    class Meta:
        model = OpeningInterval

    calendar = factory.SubFactory(BusinessCalendarFactory)
    weekday = 0
    start_minute = 9 * 60
    end_minute = 18 * 60


class HolidayFactory(DjangoModelFactory):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(BusinessCalendarFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    name = factory.Sequence(lambda n: f"Holiday {n}")


class ChannelFactory(DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.Sequence(lambda n: f"Channel {n}")
    kind = Channel.Kind.CHAT
    calendar = factory.SubFactory(BusinessCalendarFactory, office=True)
    owner = None
    is_active = True
